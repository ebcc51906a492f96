//! The billing rules, each on the call it is about, priced with the shipped table.

use bedrock_llm_core::{
    ExchangeKind, ImageParams, ImageStats, Invocation, InvocationError, Operation, RequestParams,
    RequestView, ResponseView, Serving, Usage,
};

use super::*;

fn call(model: &str, region: &str, input: u64, output: u64) -> Invocation {
    let mut record = Invocation::new(model, Operation::InvokeModel);
    record.kind = Some(ExchangeKind::Chat);
    record.region = Some(region.to_owned());
    record.response = Some(ResponseView {
        usage: Usage {
            input_tokens: Some(input),
            output_tokens: Some(output),
            ..Usage::default()
        },
        ..ResponseView::default()
    });
    record
}

fn nanos(outcome: &CostOutcome) -> u64 {
    outcome.cost().map(|c| c.total.nanos()).unwrap_or(u64::MAX)
}

fn table() -> Arc<PriceTable> {
    PriceTable::embedded()
}

#[test]
fn the_shipped_table_reads_and_is_dated() {
    let table = table();
    assert!(table.len() > 60, "{}", table.len());
    assert_eq!(table.about.date.as_deref(), Some("2026-12-07"));
    // Written back out and read again, nothing changes.
    let again = PriceTable::from_json(&table.to_json().to_string(), "again").unwrap();
    assert_eq!(again.to_json(), table.to_json());
}

#[test]
fn tokens_are_priced_per_million_in_exact_nanos() {
    let cost = price(
        &call(
            "anthropic.claude-3-haiku-20240307-v1:0",
            "us-east-1",
            1000,
            500,
        ),
        &table(),
    );
    // 1000 × $0.25/M + 500 × $1.25/M = $0.000875.
    assert_eq!(nanos(&cost), 875_000);
    let cost = cost.cost().unwrap();
    assert_eq!(
        (cost.input.nanos(), cost.output.nanos()),
        (250_000, 625_000)
    );
    assert_eq!(cost.table.as_ref(), table().about.label());
}

#[test]
fn cache_reads_and_writes_are_priced_apart_with_what_caching_saved() {
    let mut record = call(
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "us-east-1",
        100,
        200,
    );
    if let Some(response) = &mut record.response {
        response.usage.cache_read_input_tokens = Some(10_000);
        response.usage.cache_write_input_tokens = Some(2_000);
    }
    let outcome = price(&record, &table());
    let cost = outcome.cost().unwrap();
    assert_eq!(cost.input.nanos(), 300_000);
    assert_eq!(cost.cache_read.nanos(), 3_000_000);
    assert_eq!(cost.cache_write.nanos(), 7_500_000);
    assert_eq!(cost.output.nanos(), 3_000_000);
    assert_eq!(cost.total.nanos(), 13_800_000);
    // 10,000 × ($3 − $0.30)/M − 2,000 × ($3.75 − $3)/M = $0.027 − $0.0015.
    assert_eq!(cost.cache_savings_nanos, 25_500_000);
    assert_eq!(
        &*cost.base_model,
        "anthropic.claude-3-7-sonnet-20250219-v1:0"
    );
}

#[test]
fn one_hour_cache_writes_take_their_own_rate() {
    let mut record = call("anthropic.claude-sonnet-4-20250514-v1:0", "us-east-1", 0, 0);
    if let Some(response) = &mut record.response {
        response.usage.cache_write_input_tokens = Some(1000);
        response.usage.cache_write_1h_input_tokens = Some(400);
    }
    let cost = price(&record, &table());
    // 600 five-minute writes at $3.75/M and 400 one-hour writes at $6/M.
    assert_eq!(
        cost.cost().unwrap().cache_write.nanos(),
        2_250_000 + 2_400_000
    );
    // Writes never read back: the premium over the input price is what caching cost.
    assert_eq!(
        cost.cost().unwrap().cache_savings_nanos,
        -(450_000 + 1_200_000)
    );
}

#[test]
fn global_profiles_take_their_own_prices_and_geographic_ones_do_not() {
    let model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    let global = price(
        &call(&format!("global.{model}"), "us-east-1", 100_000, 0),
        &table(),
    );
    let us = price(
        &call(&format!("us.{model}"), "us-east-1", 100_000, 0),
        &table(),
    );
    assert_eq!(nanos(&global), 300_000_000);
    assert_eq!(global.cost().unwrap().basis, vec!["global"]);
    assert_eq!(nanos(&us), 330_000_000);
    let arn = format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.{model}");
    assert_eq!(
        nanos(&price(&call(&arn, "us-east-1", 100_000, 0), &table())),
        300_000_000
    );
}

#[test]
fn long_context_bills_every_token_at_its_rates_counting_cache_reads() {
    let mut record = call(
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "us-east-1",
        150_000,
        1_000,
    );
    if let Some(response) = &mut record.response {
        response.usage.cache_read_input_tokens = Some(60_000);
    }
    let cost = price(&record, &table());
    let cost = cost.cost().unwrap();
    assert_eq!(cost.basis, vec!["long_context"]);
    assert_eq!(cost.input.nanos(), 900_000_000);
    assert_eq!(cost.cache_read.nanos(), 36_000_000);
    assert_eq!(cost.output.nanos(), 22_500_000);
    // Below the threshold, the standard rates.
    let short = price(
        &call(
            "anthropic.claude-sonnet-4-20250514-v1:0",
            "us-east-1",
            150_000,
            0,
        ),
        &table(),
    );
    assert_eq!(nanos(&short), 450_000_000);
}

#[test]
fn the_tier_served_prices_the_call_and_reserved_or_provisioned_have_no_per_call_cost() {
    let mut flex = call("amazon.nova-pro-v1:0", "us-east-1", 1_000_000, 1_000_000);
    flex.serving = Serving::default().with_service_tier(Some("flex".into()));
    assert_eq!(nanos(&price(&flex, &table())), 2_000_000_000);
    let mut priority = flex.clone();
    priority.serving = Serving::default().with_service_tier(Some("priority".into()));
    assert_eq!(nanos(&price(&priority, &table())), 7_000_000_000);
    let mut optimized = flex.clone();
    optimized.serving = Serving::default().with_latency(Some("optimized".into()));
    assert_eq!(nanos(&price(&optimized, &table())), 5_000_000_000);
    let mut reserved = flex.clone();
    reserved.serving = Serving::default().with_service_tier(Some("reserved".into()));
    assert_eq!(price(&reserved, &table()), CostOutcome::Reserved);
    let provisioned = call(
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123",
        "us-east-1",
        10,
        10,
    );
    assert_eq!(price(&provisioned, &table()), CostOutcome::Provisioned);
}

#[test]
fn unknown_and_opaque_models_are_unpriced_never_zero_and_aliases_resolve() {
    let unknown = call("acme.unknown-model-v1", "us-east-1", 10, 10);
    assert_eq!(
        price(&unknown, &table()),
        CostOutcome::Unpriced(Unpriced::NoPrice)
    );
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3";
    let opaque = call(arn, "us-east-1", 1000, 500);
    assert_eq!(
        price(&opaque, &table()),
        CostOutcome::Unpriced(Unpriced::OpaqueModelId)
    );
    let mut aliased = (*table()).clone();
    aliased.alias(arn, "us.anthropic.claude-3-haiku-20240307-v1:0");
    assert_eq!(nanos(&price(&opaque, &aliased)), 875_000);
}

#[test]
fn images_are_priced_per_image_by_size_quality_and_steps() {
    let image = |model: &str, count: u64, params: ImageParams| {
        let mut record = Invocation::new(model, Operation::InvokeModel);
        record.kind = Some(ExchangeKind::ImageGeneration);
        record.region = Some("us-east-1".into());
        record.request = Some(RequestView {
            params: RequestParams {
                image: params,
                ..RequestParams::default()
            },
            ..RequestView::default()
        });
        record.response = Some(ResponseView {
            images: Some(ImageStats {
                count,
                ..ImageStats::default()
            }),
            ..ResponseView::default()
        });
        price(&record, &table())
    };
    let sized = |side: u64, quality: Option<&str>| ImageParams {
        width: Some(side),
        height: Some(side),
        quality: quality.map(str::to_owned),
        ..ImageParams::default()
    };
    let canvas = "amazon.nova-canvas-v1:0";
    assert_eq!(
        nanos(&image(canvas, 2, sized(1024, Some("premium")))),
        120_000_000
    );
    assert_eq!(nanos(&image(canvas, 1, sized(2048, None))), 60_000_000);
    assert_eq!(nanos(&image(canvas, 1, ImageParams::default())), 40_000_000);
    // Larger than every tier: no price, not a guess.
    assert_eq!(
        image(canvas, 1, sized(4096, None)),
        CostOutcome::Unpriced(Unpriced::MissingRate)
    );
    let steps = |steps: u64| ImageParams {
        steps: Some(steps),
        ..ImageParams::default()
    };
    let sdxl = "stability.stable-diffusion-xl-v1";
    assert_eq!(nanos(&image(sdxl, 1, steps(30))), 40_000_000);
    assert_eq!(nanos(&image(sdxl, 1, steps(70))), 80_000_000);
    // A refused generation (no image) costs nothing.
    assert_eq!(nanos(&image(canvas, 0, ImageParams::default())), 0);
}

#[test]
fn embeddings_bill_input_only_and_failures_bill_no_request_charge() {
    let mut embedding = call("amazon.titan-embed-text-v2:0", "us-east-1", 1_000_000, 999);
    embedding.kind = Some(ExchangeKind::Embedding);
    assert_eq!(nanos(&price(&embedding, &table())), 20_000_000);
    let mut rerank = Invocation::new("cohere.rerank-v3-5:0", Operation::InvokeModel);
    rerank.kind = Some(ExchangeKind::Rerank);
    assert_eq!(nanos(&price(&rerank, &table())), 2_000_000);
    rerank.error = Some(InvocationError::new("ThrottlingException").with_status(429));
    assert_eq!(nanos(&price(&rerank, &table())), 0);
}

#[test]
fn a_users_table_overrides_per_region_and_its_errors_name_the_path() {
    let mine = PriceTable::from_json(
        r#"{"_about": {"date": "2026-11-30", "source": "negotiated"},
            "anthropic.claude-3-haiku-20240307-v1:0": {"eu-west-1": {"input_per_mtok": "0.3", "output_per_mtok": 1.5}},
            "acme.*": {"*": {"input_per_mtok": 1, "output_per_mtok": 2}}}"#,
        "mine.json",
    )
    .unwrap();
    let merged = table().merged(&mine);
    let haiku = "anthropic.claude-3-haiku-20240307-v1:0";
    let eu = price(&call(haiku, "eu-west-1", 1_000_000, 0), &merged);
    assert_eq!(nanos(&eu), 300_000_000);
    assert_eq!(eu.cost().unwrap().table.as_ref(), "2026-11-30 (negotiated)");
    // The shipped `*` entry still prices every other Region.
    assert_eq!(
        nanos(&price(&call(haiku, "us-east-1", 1_000_000, 0), &merged)),
        250_000_000
    );
    let acme = price(
        &call("acme.widget-v2", "us-east-1", 1_000_000, 1_000_000),
        &merged,
    );
    assert_eq!(nanos(&acme), 3_000_000_000);
    assert_eq!(&*acme.cost().unwrap().price_key, "acme.*");
    // A model with an input price only cannot price output tokens.
    let partial =
        PriceTable::from_json(r#"{"acme.x": {"*": {"input_per_mtok": 1}}}"#, "p").unwrap();
    assert_eq!(
        price(&call("acme.x", "us-east-1", 5, 5), &partial),
        CostOutcome::Unpriced(Unpriced::MissingRate)
    );

    for (text, path) in [
        (
            r#"{"m.x": {"*": {"input_per_mtk": 1}}}"#,
            r#"$["m.x"]["*"].input_per_mtk"#,
        ),
        (
            r#"{"m.x": {"*": {"output_per_mtok": -1}}}"#,
            r#"$["m.x"]["*"].output_per_mtok"#,
        ),
        (
            r#"{"m.x": {"*": {"per_image": [{"quality": "premium"}]}}}"#,
            r#"$["m.x"]["*"].per_image[0]"#,
        ),
        (
            r#"{"m.x": {"*": {"long_context": {"input_per_mtok": 1}}}}"#,
            r#"$["m.x"]["*"].long_context"#,
        ),
        (r#"{"m.x": []}"#, r#"$["m.x"]"#),
    ] {
        let error = PriceTable::from_json(text, "bad.json")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(path) && error.contains("bad.json"),
            "{error}"
        );
    }
    assert!(matches!(
        PriceTable::from_json("{", "x"),
        Err(PriceTableError::Json { .. })
    ));
}

#[test]
fn image_prices_keyed_by_size_and_quality_and_entries_for_ids_as_called() {
    let table = PriceTable::from_json(
        r#"{"_about": {"date": "2026-12-01"},
            "amazon.nova-canvas-v1:0": {"*": {"_comment": "list prices",
                "per_image": {"1024x1024": {"standard": 0.04, "premium": "0.06"},
                              "2048x2048/premium": 0.08, "2048x2048": 0.06}}},
            "us.anthropic.claude-3-haiku-20240307-v1:0": {"*": {"input_per_mtok": 9, "output_per_mtok": 9}}}"#,
        "keyed.json",
    )
    .unwrap();
    let tiers = &table.model("amazon.nova-canvas-v1:0").unwrap().1.regions["*"]
        .standard
        .per_image;
    let shown: Vec<(Option<u64>, Option<&str>, String)> = tiers
        .iter()
        .map(|t| (t.max_side, t.quality.as_deref(), t.price.per_unit_text()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (Some(1024), Some("premium"), "0.06".to_owned()),
            (Some(1024), Some("standard"), "0.04".to_owned()),
            (Some(2048), Some("premium"), "0.08".to_owned()),
            (Some(2048), None, "0.06".to_owned()),
        ]
    );
    let mut call = Invocation::new("amazon.nova-canvas-v1:0", Operation::InvokeModel);
    call.kind = Some(ExchangeKind::ImageGeneration);
    call.request = Some(RequestView {
        params: RequestParams {
            image: ImageParams {
                width: Some(2048),
                height: Some(1024),
                ..ImageParams::default()
            },
            ..RequestParams::default()
        },
        ..RequestView::default()
    });
    call.response = Some(ResponseView {
        images: Some(ImageStats {
            count: 3,
            ..ImageStats::default()
        }),
        ..ResponseView::default()
    });
    // 2048 wide, no quality named: the 2048 tier that names none.
    assert_eq!(nanos(&price(&call, &table)), 180_000_000);
    // The profile's own entry wins over the base model's (which this table lacks).
    let profiled = call_of("us.anthropic.claude-3-haiku-20240307-v1:0");
    assert_eq!(nanos(&price(&profiled, &table)), 18_000_000_000);
    let error = PriceTable::from_json(r#"{"m.x": {"*": {"per_image": {"12y": 2}}}}"#, "bad")
        .unwrap_err()
        .to_string();
    assert!(error.contains("per_image[\"12y\"]"), "{error}");
}

fn call_of(model: &str) -> Invocation {
    call(model, "us-east-1", 1_000_000, 1_000_000)
}
