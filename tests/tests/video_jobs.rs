//! Video jobs (`StartAsyncInvoke`) through a plain SDK client with `RecordingInterceptor` added,
//! SigV4-signed against the emulator: the caller gets exactly what an uninstrumented client
//! gets; the record holds the operation, the family, the prompt, the settings asked for and the
//! job's ARN as the response id — and no video, which lands in S3 after the call. A refused job
//! is recorded with the service's error code. An embedding job (Marengo) is an embedding with its
//! ARN and no vectors yet.

use std::sync::Arc;

use aws_sdk_bedrockruntime::operation::start_async_invoke::builders::StartAsyncInvokeFluentBuilder;
use aws_sdk_bedrockruntime::types::{AsyncInvokeOutputDataConfig, AsyncInvokeS3OutputDataConfig};
use bedrock_llm_core::client::{Client, model_input};
use bedrock_llm_core::{ExchangeKind, Invocation, Operation};
use bedrock_llm_emulator::{Emulator, Fault};
use bedrock_llm_models::samples::{self, Sample};
use bedrock_llm_tests::harness::{self, Captured};
use serde_json::Value;

fn video_samples() -> Vec<Sample> {
    let videos: Vec<Sample> = samples::all()
        .unwrap()
        .into_iter()
        .filter(|s| matches!(s.family, "Nova Reel" | "Luma Ray"))
        .collect();
    assert!(videos.len() >= 3, "the Nova Reel and Luma Ray samples");
    videos
}

fn intercepted(emulator: &Emulator) -> (aws_sdk_bedrockruntime::Client, Arc<Captured>) {
    let records = Arc::new(Captured::default());
    (harness::intercepted_sdk(emulator, &records), records)
}

fn output_config() -> AsyncInvokeOutputDataConfig {
    AsyncInvokeOutputDataConfig::S3OutputDataConfig(
        AsyncInvokeS3OutputDataConfig::builder()
            .s3_uri("s3://videos-bucket/jobs/")
            .build()
            .unwrap(),
    )
}

/// `sample`'s job, sent through `builder`: its request body as `modelInput`, its output to S3.
fn job(
    builder: StartAsyncInvokeFluentBuilder,
    sample: &Sample,
) -> impl std::future::Future<
    Output = Result<
        aws_sdk_bedrockruntime::operation::start_async_invoke::StartAsyncInvokeOutput,
        aws_sdk_bedrockruntime::error::SdkError<
            aws_sdk_bedrockruntime::operation::start_async_invoke::StartAsyncInvokeError,
            aws_sdk_bedrockruntime::config::http::HttpResponse,
        >,
    >,
> {
    builder
        .model_id(sample.model_id)
        .model_input(model_input(&sample.request).unwrap())
        .output_data_config(output_config())
        .send()
}

/// What the offline path reads from the same bodies.
fn offline(sample: &Sample) -> Invocation {
    let mut record = Invocation::new(sample.model_id, Operation::StartAsyncInvoke);
    bedrock_llm_models::registry().read_bodies(
        &mut record,
        Some(&sample.request),
        Some(&sample.response),
    );
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn video_jobs_are_recorded_with_their_settings_and_arn() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (client, records) = intercepted(&emulator);
    let plain = aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config());
    let videos = video_samples();
    for sample in &videos {
        let recorded = job(client.start_async_invoke(), sample).await.unwrap();
        let uninstrumented = job(plain.start_async_invoke(), sample).await.unwrap();
        assert_eq!(recorded.invocation_arn(), uninstrumented.invocation_arn());
        let response: Value = serde_json::from_slice(&sample.response).unwrap();
        assert_eq!(
            Some(recorded.invocation_arn()),
            response["invocationArn"].as_str()
        );
    }
    let taken = records.take();
    assert_eq!(taken.len(), videos.len(), "one record per instrumented job");
    for (record, sample) in taken.iter().zip(&videos) {
        let name = format!("{}/{}", sample.family_slug, sample.case);
        let expected = offline(sample);
        assert_eq!(record.operation, Operation::StartAsyncInvoke, "{name}");
        assert_eq!(record.kind, Some(ExchangeKind::VideoGeneration), "{name}");
        assert_eq!(record.family, expected.family, "{name}");
        assert!(
            record.extraction_errors.is_empty(),
            "{name}: {:?}",
            record.extraction_errors
        );
        let request = record.request.as_ref().unwrap();
        assert_eq!(Some(request), expected.request.as_ref(), "{name}");
        assert!(!request.messages.is_empty(), "{name}: no prompt");
        assert!(!request.params.video.is_empty(), "{name}: no settings");
        let response = record.response.as_ref().unwrap();
        assert!(
            response
                .response_id
                .as_deref()
                .is_some_and(|arn| arn.contains(":async-invoke/")),
            "{name}"
        );
        assert_eq!(
            response.videos, None,
            "{name}: no video exists when the call returns"
        );
        assert!(record.error.is_none(), "{name}");
    }
    // The emulator saw the job as Bedrock does: the model and its input inside the body.
    let jobs: Vec<_> = emulator
        .requests()
        .into_iter()
        .filter(|r| r.path == "/async-invoke")
        .collect();
    assert_eq!(jobs.len(), 2 * videos.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_job_is_recorded_with_the_services_error() {
    let sample = &video_samples()[0];
    let emulator = Emulator::builder()
        .fault(sample.model_id, Fault::Throttling)
        .start()
        .await
        .unwrap();
    let (client, records) = intercepted(&emulator);
    let error = job(client.start_async_invoke(), sample).await.unwrap_err();
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_throttling_exception())
    );
    let taken = records.take();
    assert_eq!(taken.len(), 1);
    let record = &taken[0];
    assert_eq!(record.operation, Operation::StartAsyncInvoke);
    let failure = record.error.as_ref().expect("the job's error");
    assert_eq!(failure.code, "ThrottlingException");
    // The request was read even though the job was refused.
    assert!(
        record
            .request
            .as_ref()
            .is_some_and(|r| !r.messages.is_empty())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_crates_client_records_jobs_as_the_interceptor_does() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (plain, plain_records) = intercepted(&emulator);
    let client_records = Arc::new(Captured::default());
    let client = Client::new(
        aws_sdk_bedrockruntime::Client::from_conf(emulator.sdk_config()),
        bedrock_llm_models::new_registry(),
        client_records.clone(),
    );
    for sample in video_samples() {
        let through_client = job(client.start_async_invoke(), &sample).await.unwrap();
        let through_plain = job(plain.start_async_invoke(), &sample).await.unwrap();
        assert_eq!(
            through_client.invocation_arn(),
            through_plain.invocation_arn()
        );
    }
    let comparable = |records: Vec<Invocation>| -> Vec<_> {
        records
            .into_iter()
            .map(|r| (r.family, r.kind, r.request, r.response))
            .collect()
    };
    let from_client = comparable(client_records.take());
    assert_eq!(from_client.len(), video_samples().len());
    assert_eq!(from_client, comparable(plain_records.take()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embedding_job_is_an_embedding_with_its_arn_and_no_vectors_yet() {
    let sample = samples::all()
        .unwrap()
        .into_iter()
        .find(|s| s.family == "Marengo" && s.is_job())
        .expect("Marengo's job sample");
    let emulator = Emulator::builder().start().await.unwrap();
    let (client, records) = intercepted(&emulator);
    let output = job(client.start_async_invoke(), &sample).await.unwrap();
    let taken = records.take();
    assert_eq!(taken.len(), 1);
    let record = &taken[0];
    assert_eq!(record.operation, Operation::StartAsyncInvoke);
    assert_eq!(record.kind, Some(ExchangeKind::Embedding));
    assert!(
        record.extraction_errors.is_empty(),
        "{:?}",
        record.extraction_errors
    );
    let response = record.response.as_ref().unwrap();
    assert_eq!(
        response.response_id.as_deref(),
        Some(output.invocation_arn())
    );
    assert_eq!(
        response.embedding, None,
        "the vectors are written to S3 later"
    );
}
