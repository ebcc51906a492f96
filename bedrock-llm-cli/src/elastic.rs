//! `bedrock-llm elastic`: Elasticsearch housekeeping — `setup` installs the index templates our
//! documents need on a cluster that has no Elastic Amazon Bedrock integration.

use bedrock_llm_export::elastic::{BulkClient, ElasticConfig, install_templates};

use crate::output::Stop;

/// What `elastic` does.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ElasticCommand {
    /// Install (or update) index templates for `logs-aws_bedrock.invocation-*` and
    /// `metrics-aws_bedrock.runtime-*`, mapping every field we write; templates installed by
    /// someone else (Elastic's integration) are left as they are. Safe to run again.
    #[command(after_help = crate::help::elastic())]
    Setup {
        /// The cluster's URL, instead of ELASTICSEARCH_URL or ELASTIC_CLOUD_ID.
        #[arg(long, value_name = "URL")]
        endpoint: Option<String>,
    },
}

pub(crate) fn run(command: &ElasticCommand) -> Result<(), Stop> {
    let ElasticCommand::Setup { endpoint } = command;
    let config = ElasticConfig::from_env(endpoint.as_deref()).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("no async runtime: {e}"))?;
    let report = runtime.block_on(async {
        let client = BulkClient::new(config).map_err(|e| e.to_string())?;
        install_templates(&client).await
    })?;
    for (template, what) in report.templates {
        crate::output::note(&format!("elastic setup: {template}: {what}"));
    }
    Ok(())
}
