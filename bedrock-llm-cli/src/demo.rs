//! `bedrock-llm demo`: every prebuilt family through the async client, the blocking client and
//! the SDK interceptor, streamed calls for every family that streams (through the crate's
//! client, and through a plain SDK client with the interceptor: `interceptor-stream`), Converse and
//! ConverseStream, plus calls that fail in
//! each way Bedrock fails, against a loopback
//! emulator (or live Bedrock with `--live`); then the recorded events and metrics.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    AsyncInvokeOutputDataConfig, AsyncInvokeS3OutputDataConfig, ContentBlock, ConversationRole,
    Message,
};
use bedrock_llm_core::client::{
    BlockingClient, Client, RecordingInterceptor, model_input, sdk_config,
};
use bedrock_llm_emulator::{Emulator, Fault};
use bedrock_llm_events::{Config, LlmAttributes, LlmAttributesExt, Recorder, with_llm_attributes};
use bedrock_llm_models::samples::{self, Sample};

use bedrock_llm_export::destination::{DeliveryError, LineFormat, Settings};

use crate::destinations::DestinationArgs;
use crate::output::{Stdout, Stop, stdout_error};
use crate::table;

/// Options of `demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Print NDJSON: one New Relic Event API object per line (events, error reports, metrics).
    #[arg(long)]
    json: bool,
    /// Call real Bedrock, with credentials and Region from the AWS default chain (environment,
    /// AWS_PROFILE and its SSO or role settings, container or instance credentials). Billed.
    #[arg(long)]
    live: bool,
    /// Leave prompt, completion and embedding input text out of the events.
    #[arg(long)]
    no_content: bool,
    /// Without --to, the table (or --json NDJSON) on stdout.
    #[command(flatten)]
    destinations: DestinationArgs,
}

/// The calls that fail, each on a model ID of a real family: (model ID, fault, a family whose
/// sample request it sends).
fn faults() -> Vec<(&'static str, Fault, &'static str)> {
    vec![
        (
            "us.anthropic.claude-3-haiku-20240307-v1:0",
            Fault::Throttling,
            "claude_messages",
        ),
        (
            "amazon.titan-text-express-v1",
            Fault::Validation,
            "titan_text",
        ),
        ("meta.llama3-8b-instruct-v1:0", Fault::AccessDenied, "llama"),
        (
            "cohere.command-light-text-v14",
            Fault::InternalServer,
            "cohere_command",
        ),
        (
            "mistral.mistral-7b-instruct-v0:2",
            Fault::ServiceUnavailable,
            "mistral_text",
        ),
        ("ai21.jamba-1-5-mini-v1:0", Fault::DropConnection, "jamba"),
        (
            "amazon.nova-micro-v1:0",
            Fault::Slow(Duration::from_millis(1500)),
            "nova",
        ),
        (
            "meta.llama3-2-1b-instruct-v1:0",
            Fault::MalformedBody,
            "llama",
        ),
    ]
}

/// A stream that fails part-way: an exception frame after four chunks.
const FAILING_STREAM: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";

/// Reads a stream to its end (or error), as a caller would.
async fn drain(mut stream: bedrock_llm_core::client::RecordedStream) {
    while let Ok(Some(_)) = stream.recv().await {}
}

fn scope(path: &str) -> LlmAttributes {
    LlmAttributes::new()
        .with("llm.conversation_id", "bedrock-llm-demo")
        .with("llm.demo.path", path.to_owned())
}

pub(crate) fn run(args: &DemoArgs) -> Result<(), Stop> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| format!("could not start the async runtime: {e}"))?;
    let config = Config::default()
        .enabled()
        .with_content(!args.no_content)
        .with_otel_content(!args.no_content);
    let live_target = if args.live {
        let sdk = runtime
            .block_on(crate::aws::sdk_config())
            .map_err(|stop| match stop {
                Stop::Failed(why) => Stop::Failed(format!("--live {why}")),
                closed => closed,
            })?;
        let region = sdk
            .region()
            .map_or_else(|| "us-east-1".to_owned(), |r| r.as_ref().to_owned());
        Some((sdk, region))
    } else {
        None
    };
    // The recorded calls go to the destinations (--json is stdout's NDJSON); with neither, a
    // table shows them.
    let mut fanout = if args.destinations.to.is_empty() && !args.json {
        None
    } else {
        let region = live_target
            .as_ref()
            .map_or_else(|| "us-east-1".to_owned(), |(_, region)| region.clone());
        let settings = Settings::new(config.clone())
            .with_lines(LineFormat::NewRelic, None)
            .with_service("bedrock-llm-demo", Some(region));
        Some(args.destinations.open(&settings)?)
    };
    let recorder = Recorder::new(config);
    let recorder = Arc::new(match &fanout {
        Some(fanout) => fanout.equip(recorder),
        None => recorder,
    });
    let samples =
        samples::all().map_err(|e| format!("a built-in sample does not fit its adapter: {e}"))?;
    if let Some((sdk, _)) = &live_target {
        live(&runtime, &recorder, sdk, &samples);
    } else {
        emulated(&runtime, &recorder, &samples)?;
    }
    let harvest = recorder.harvest();
    if let Some(mut fanout) = fanout.take() {
        let (counts, delivered) = fanout.harvest(&harvest);
        if let Err(DeliveryError::Closed) = delivered {
            return Err(Stop::Closed);
        }
        for (name, n) in counts {
            recorder.count_supportability(name, n);
        }
        let ended = fanout.shutdown(std::time::Instant::now() + Duration::from_secs(30));
        let more = delivered.err().map(|e| e.to_string()).into_iter().collect();
        return crate::destinations::conclude(&ended, None, more);
    }
    let mut out = Stdout::new();
    table::write(out.writer(), &harvest, args.live, table::terminal_width())
        .map_err(stdout_error)?;
    out.finish()
}

fn emulated(
    runtime: &tokio::runtime::Runtime,
    recorder: &Arc<Recorder>,
    samples: &[Sample],
) -> Result<(), String> {
    let mut builder = Emulator::builder();
    for (model_id, fault, _) in faults() {
        builder = builder.fault(model_id, fault);
    }
    builder = builder.fault(FAILING_STREAM, Fault::StreamException { after: 4 });
    let emulator = runtime
        .block_on(builder.start())
        .map_err(|e| format!("could not start the emulator: {e}"))?;
    let mut target = emulator.sdk_target();
    target.attempt_timeout = Some(Duration::from_secs(1));
    let config = sdk_config(&target);
    let registry = bedrock_llm_models::new_registry;
    let client = Client::new(
        aws_sdk_bedrockruntime::Client::from_conf(config.clone()),
        registry(),
        recorder.clone(),
    );

    // The async client: raw bytes in, the SDK's output out. Video models run as jobs.
    let (jobs, samples): (Vec<&Sample>, Vec<&Sample>) = samples.iter().partition(|s| s.is_job());
    runtime.block_on(async {
        for sample in &samples {
            let _ = client
                .invoke_raw(sample.model_id, sample.request.clone())
                .with_llm_attributes(scope("async"))
                .await;
        }
        for (model_id, _, family) in faults() {
            if let Some(sample) = samples.iter().find(|s| s.family_slug == family) {
                let _ = client
                    .invoke_raw(model_id, sample.request.clone())
                    .with_llm_attributes(scope("async"))
                    .await;
            }
        }
    });

    // Jobs (`StartAsyncInvoke`): the video models' request bodies as `modelInput`.
    runtime.block_on(async {
        for sample in &jobs {
            let Ok(input) = model_input(&sample.request) else {
                continue;
            };
            let output = AsyncInvokeS3OutputDataConfig::builder()
                .s3_uri("s3://bedrock-llm-demo/videos/")
                .build()
                .map(AsyncInvokeOutputDataConfig::S3OutputDataConfig);
            let job = client
                .start_async_invoke()
                .model_id(sample.model_id)
                .model_input(input)
                .set_output_data_config(output.ok());
            let _ = job.send().with_llm_attributes(scope("job")).await;
        }
    });

    // Streamed calls: every family that streams, and one stream that fails part-way.
    runtime.block_on(async {
        let streams = samples
            .iter()
            .filter(|s| samples::stream_chunks(s, &mut |t| vec![t.to_owned()]).is_some());
        for sample in streams {
            let started = client.invoke_stream_raw(sample.model_id, sample.request.clone());
            if let Ok(stream) = started.with_llm_attributes(scope("stream")).await {
                drain(stream).await;
            }
        }
        if let Some(sample) = samples.iter().find(|s| s.family_slug == "claude_messages") {
            let started = client.invoke_stream_raw(FAILING_STREAM, sample.request.clone());
            if let Ok(stream) = started.with_llm_attributes(scope("stream")).await {
                drain(stream).await;
            }
        }
    });

    // Converse and ConverseStream: model-agnostic.
    runtime.block_on(async {
        for model in [
            "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
            "amazon.nova-lite-v1:0",
        ] {
            let question = Message::builder()
                .role(ConversationRole::User)
                .content(ContentBlock::Text(
                    "What is the capital of New Zealand?".to_owned(),
                ))
                .build();
            let Ok(question) = question else { continue };
            let ask = client
                .sdk()
                .converse()
                .model_id(model)
                .messages(question.clone());
            let _ = client
                .converse(ask)
                .with_llm_attributes(scope("converse"))
                .await;
            let ask = client
                .sdk()
                .converse_stream()
                .model_id(model)
                .messages(question);
            if let Ok(mut stream) = client
                .converse_stream(ask)
                .with_llm_attributes(scope("converse-stream"))
                .await
            {
                while let Ok(Some(_)) = stream.recv().await {}
            }
        }
    });

    // The SDK interceptor on a plain SDK client: one line in its config.
    let interceptor = RecordingInterceptor::new(Arc::new(registry()), recorder.clone());
    let intercepted = aws_sdk_bedrockruntime::Client::from_conf(
        config.to_builder().interceptor(interceptor).build(),
    );
    runtime.block_on(async {
        for sample in &samples {
            let call = intercepted
                .invoke_model()
                .model_id(sample.model_id)
                .body(Blob::new(sample.request.clone()))
                .send();
            let _ = call.with_llm_attributes(scope("interceptor")).await;
        }
        // Streams through the same plain client: the interceptor taps the event stream.
        let streaming = samples
            .iter()
            .filter(|s| samples::stream_chunks(s, &mut |t| vec![t.to_owned()]).is_some());
        for sample in streaming {
            let call = async {
                let sent = intercepted
                    .invoke_model_with_response_stream()
                    .model_id(sample.model_id)
                    .body(Blob::new(sample.request.clone()))
                    .send()
                    .await;
                if let Ok(mut output) = sent {
                    while let Ok(Some(_)) = output.body.recv().await {}
                }
            };
            call.with_llm_attributes(scope("interceptor-stream")).await;
        }
    });

    // The blocking client, from a thread outside the runtime.
    let blocking_client = client.clone();
    let blocking_samples: Vec<Sample> = samples.iter().map(|s| (*s).clone()).collect();
    std::thread::spawn(move || -> Result<(), String> {
        let client = BlockingClient::new(blocking_client).map_err(|e| e.to_string())?;
        for sample in &blocking_samples {
            with_llm_attributes(scope("blocking"), || {
                let _ = client.invoke_raw(sample.model_id, sample.request.clone());
            });
        }
        Ok(())
    })
    .join()
    .map_err(|_| "the blocking client's thread panicked".to_owned())??;
    drop(emulator);
    Ok(())
}

fn live(
    runtime: &tokio::runtime::Runtime,
    recorder: &Arc<Recorder>,
    config: &aws_config::SdkConfig,
    samples: &[Sample],
) {
    let timeouts = aws_sdk_bedrockruntime::config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(std::time::Duration::from_secs(120))
        .build();
    let sdk = aws_sdk_bedrockruntime::Client::from_conf(
        aws_sdk_bedrockruntime::config::Builder::from(config)
            .timeout_config(timeouts)
            .build(),
    );
    let client = Client::new(sdk, bedrock_llm_models::new_registry(), recorder.clone());
    runtime.block_on(async {
        // No video job is started on a real account: it is billed and needs an S3 bucket.
        for sample in samples.iter().filter(|s| !s.is_job()) {
            // A model the account has not enabled fails; that failure is recorded like any other.
            let _ = client
                .invoke_raw(sample.model_id, sample.request.clone())
                .with_llm_attributes(scope("live"))
                .await;
        }
    });
}
