//! What every `--help` ends with: examples to copy, and what the exit status means — the parts
//! a user looks for first, as `cargo` and `rg` give them.

/// The exit statuses every command shares.
const EXIT_STATUS: &str = "\
EXIT STATUS:
    0     everything was read, written and delivered
    1     something failed: a source could not be read, data could not be delivered or
          written, a setting was refused — each failure is named on stderr
    2     the command line was wrong (a usage message says how)
    130   a second Ctrl-C ended the run at once (143 for a second SIGTERM); after the first,
          what was read is delivered and the status is 1";

pub(crate) const TOP: &str = "\
EXAMPLES:
    bedrock-llm demo                           every family, emulated, as a table
    bedrock-llm replay AWSLogs/ > events.ndjson
    bedrock-llm replay s3://my-logs/AWSLogs/ --to newrelic
    bedrock-llm replay AWSLogs/ --to elasticsearch --endpoint https://localhost:9200
    bedrock-llm replay cloudwatch:/aws/bedrock/modelinvocations --follow --state follow.json
    bedrock-llm metrics pull --since 2026-12-01 --format elastic
    bedrock-llm report AWSLogs/ --html spend.html
    bedrock-llm completions bash > /etc/bash_completion.d/bedrock-llm

EXIT STATUS:
    0 success, 1 failure (named on stderr), 2 usage error; see each command's --help";

pub(crate) fn demo() -> String {
    format!(
        "\
EXAMPLES:
    # every family through three client paths and eight faults, as a table (no AWS account)
    bedrock-llm demo
    # the same as New Relic Event API objects, one per line, without prompts and completions
    bedrock-llm demo --json --no-content
    # send the recorded calls to New Relic and to an OpenTelemetry collector at once
    NEW_RELIC_LICENSE_KEY=… NEW_RELIC_ACCOUNT_ID=… \\
        bedrock-llm demo --to newrelic --to otlp --endpoint otlp=http://localhost:4318
    # real Bedrock (billed), credentials and Region from the AWS default chain
    AWS_PROFILE=dev bedrock-llm demo --live

{EXIT_STATUS}"
    )
}

pub(crate) fn replay() -> String {
    format!(
        "\
EXAMPLES:
    # local logs (files, directories, .json.gz) to New Relic events on stdout
    bedrock-llm replay AWSLogs/ > events.ndjson
    # one hour of an S3 prefix to OTLP, runtime metrics to their own file
    bedrock-llm replay s3://my-logs/AWSLogs/123456789012/BedrockModelInvocationLogs/ \\
        --since 2026-11-30T08 --until 2026-11-30T08 --to otlp --metrics-out metrics.ndjson
    # as Bedrock writes them: S3 notifications from SQS, resumable, to New Relic
    bedrock-llm replay --sqs https://sqs.us-east-1.amazonaws.com/123456789012/bedrock-logs \\
        --to newrelic --state replay-state.json
    # two destinations from one pass, each with its own endpoint
    bedrock-llm replay logs/ --to newrelic --to otlp \\
        --endpoint newrelic=http://127.0.0.1:8080 --endpoint otlp=http://127.0.0.1:4318
    # stdin, as OpenTelemetry GenAI attributes, without content
    zcat record.json.gz | bedrock-llm replay - --format otel --no-content
    # a CloudWatch Logs group, one hour; or followed, resumable, to New Relic
    bedrock-llm replay cloudwatch:/aws/bedrock/modelinvocations --since 2026-11-30T08 \\
        --until 2026-11-30T08
    bedrock-llm replay cloudwatch:/aws/bedrock/modelinvocations --follow --state follow.json \\
        --to newrelic
    # Elastic's invocation documents on stdout, or delivered to a cluster (idempotent)
    bedrock-llm replay logs/ --format elastic
    ELASTIC_API_KEY=… bedrock-llm replay logs/ --to elasticsearch --endpoint https://es:9200

{EXIT_STATUS}"
    )
}

pub(crate) fn fixtures() -> String {
    format!(
        "\
EXAMPLES:
    # write samples/*.json out as fixture files under tests/fixtures/bedrock-llm
    bedrock-llm fixtures
    # in CI: fail when the committed fixtures drift from the samples
    bedrock-llm fixtures --check
    # re-record every case from live Bedrock first (billed; AWS default chain)
    bedrock-llm fixtures --record

{EXIT_STATUS}"
    )
}

pub(crate) fn elastic() -> String {
    format!(
        "\
EXAMPLES:
    # index templates for both data streams, on a cluster without Elastic's integration
    ELASTIC_API_KEY=… bedrock-llm elastic setup --endpoint https://localhost:9200
    # an Elastic Cloud deployment, namespace `prod`
    ELASTIC_CLOUD_ID=… ELASTIC_API_KEY=… BEDROCK_LLM_ELASTIC_NAMESPACE=prod \\
        bedrock-llm elastic setup

{EXIT_STATUS}"
    )
}

pub(crate) fn metrics() -> String {
    format!(
        "\
EXAMPLES:
    bedrock-llm metrics pull --since 2026-12-01 --format elastic
    bedrock-llm metrics reconcile AWSLogs/ --since 2026-12-01 --until 2026-12-01

{EXIT_STATUS}"
    )
}

pub(crate) fn metrics_pull() -> String {
    format!(
        "\
EXAMPLES:
    # the last three hours, one JSON line per series and 5-minute period
    bedrock-llm metrics pull
    # one day as Elastic runtime and guardrail documents
    bedrock-llm metrics pull --since 2026-12-01 --until 2026-12-01 --format elastic
    # hourly figures to New Relic (gauges) and Elasticsearch (idempotent)
    bedrock-llm metrics pull --since 2026-12-01T00 --period 3600 --to newrelic --to elasticsearch
    # every 5-minute period as it completes, to an OpenTelemetry collector, resumable
    bedrock-llm metrics pull --follow --to otlp --state pull-state.json

{EXIT_STATUS}"
    )
}

pub(crate) fn metrics_reconcile() -> String {
    format!(
        "\
EXAMPLES:
    # what CloudWatch counted that the day's logs do not hold, as a table
    bedrock-llm metrics reconcile AWSLogs/ --since 2026-12-01 --until 2026-12-01
    # one JSON line per model, period and metric that differs
    bedrock-llm metrics reconcile logs.ndjson --since 2026-12-01T08 --format json

{EXIT_STATUS}"
    )
}

pub(crate) fn completions() -> String {
    format!(
        "\
EXAMPLES:
    bedrock-llm completions bash > ~/.local/share/bash-completion/completions/bedrock-llm
    bedrock-llm completions zsh > \"${{fpath[1]}}/_bedrock-llm\"
    bedrock-llm completions fish > ~/.config/fish/completions/bedrock-llm.fish

{EXIT_STATUS}"
    )
}

pub(crate) fn report() -> String {
    format!(
        "\
EXAMPLES:
    # what last week's calls cost, by model, principal, tag and day, as a table
    bedrock-llm report AWSLogs/ --since 2026-11-30 --until 2026-12-06
    # the same from S3, with your negotiated prices over the shipped ones, as JSON
    bedrock-llm report s3://my-logs/AWSLogs/ --prices builtin --prices mine.json --format json
    # priced by your file alone: a model it does not list is reported as unpriced
    bedrock-llm report AWSLogs/ --prices mine.json --format json
    # one self-contained page with charts (opens offline; loads nothing)
    bedrock-llm report AWSLogs/ --html spend.html
    # a CloudWatch Logs group, one day
    bedrock-llm report cloudwatch:/aws/bedrock/modelinvocations --since 2026-12-06 \\
        --until 2026-12-06T23

Every figure is an estimate from list prices: credits, private pricing and reserved capacity
are not visible in invocation logs. Models without a price are listed as unpriced, never
counted as $0. Price-table format: docs/cost.md.

{EXIT_STATUS}"
    )
}

pub(crate) fn prices() -> String {
    format!(
        "\
EXAMPLES:
    bedrock-llm prices import AmazonBedrock.json AmazonBedrockFoundationModels.json -o p.json
    bedrock-llm prices show --prices p.json

{EXIT_STATUS}"
    )
}

pub(crate) fn prices_import() -> String {
    format!(
        "\
EXAMPLES:
    # AWS's own price data (no credentials needed), turned into a price table
    curl -sO https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrock/current/index.json
    mv index.json bedrock.json
    curl -sO https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrockFoundationModels/current/index.json
    mv index.json fm.json
    bedrock-llm prices import bedrock.json fm.json -o prices.json
    # a product this tool has no model ID for yet
    bedrock-llm prices import fm.json --name \"Claude Opus 5=anthropic.claude-opus-5-v1:0\"
    # then price with it
    BEDROCK_LLM_PRICES=prices.json bedrock-llm report AWSLogs/

Products with no known model ID are named on stderr and left out.

{EXIT_STATUS}"
    )
}

pub(crate) fn prices_show() -> String {
    format!(
        "\
EXAMPLES:
    # the shipped table
    bedrock-llm prices show
    # what a run with your file would use
    bedrock-llm prices show --prices my-prices.json | less

{EXIT_STATUS}"
    )
}
