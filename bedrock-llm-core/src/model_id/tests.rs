//! Unit tests of model-ID parsing: every form, the normalization, the errors.

use super::*;

fn parts(
    id: &str,
) -> (
    ModelIdForm,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
) {
    let m = ModelId::parse(id).unwrap();
    assert_eq!(m.as_str(), id);
    (
        m.form(),
        m.geography().map(str::to_owned),
        m.provider().map(str::to_owned),
        m.model().map(str::to_owned),
        m.version().map(str::to_owned),
    )
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn bare_and_versioned_ids() {
    use ModelIdForm::*;
    assert_eq!(
        parts("anthropic.claude-v2"),
        (Base, None, s("anthropic"), s("claude"), s("v2"))
    );
    assert_eq!(
        parts("anthropic.claude-v2:1"),
        (Base, None, s("anthropic"), s("claude"), s("v2:1"))
    );
    assert_eq!(
        parts("anthropic.claude-3-sonnet-20240229-v1:0"),
        (
            Base,
            None,
            s("anthropic"),
            s("claude-3-sonnet-20240229"),
            s("v1:0")
        )
    );
    assert_eq!(
        parts("anthropic.claude-3-sonnet-20240229-v1:0:200k"),
        (
            Base,
            None,
            s("anthropic"),
            s("claude-3-sonnet-20240229"),
            s("v1:0:200k")
        )
    );
    assert_eq!(
        parts("amazon.titan-text-express-v1"),
        (Base, None, s("amazon"), s("titan-text-express"), s("v1"))
    );
    assert_eq!(
        parts("mistral.mistral-7b-instruct-v0:2"),
        (
            Base,
            None,
            s("mistral"),
            s("mistral-7b-instruct"),
            s("v0:2")
        )
    );
    assert_eq!(
        parts("openai.gpt-oss-120b-1:0"),
        (Base, None, s("openai"), s("gpt-oss-120b"), s("1:0"))
    );
    assert_eq!(parts("acme.echo"), (Base, None, s("acme"), s("echo"), None));
    assert_eq!(
        parts("meta.llama3-2-1b"),
        (Base, None, s("meta"), s("llama3-2-1b"), None)
    );
}

#[test]
fn inference_profile_ids() {
    use ModelIdForm::*;
    for geo in ["us", "eu", "apac", "global", "us-gov", "jp", "au"] {
        let id = format!("{geo}.anthropic.claude-3-5-sonnet-20240620-v1:0");
        assert_eq!(
            parts(&id),
            (
                InferenceProfile,
                s(geo),
                s("anthropic"),
                s("claude-3-5-sonnet-20240620"),
                s("v1:0")
            )
        );
    }
    // An unknown provider behind a geography is still recognised from the segment count.
    assert_eq!(
        parts("us.acme.echo-v1"),
        (InferenceProfile, s("us"), s("acme"), s("echo"), s("v1"))
    );
}

#[test]
fn arns() {
    use ModelIdForm::*;
    let fm =
        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0";
    assert_eq!(
        parts(fm),
        (
            FoundationModelArn,
            None,
            s("anthropic"),
            s("claude-3-5-sonnet-20241022"),
            s("v2:0")
        )
    );
    let ip = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0";
    assert_eq!(
        parts(ip),
        (
            InferenceProfileArn,
            s("us"),
            s("anthropic"),
            s("claude-haiku-4-5-20251001"),
            s("v1:0")
        )
    );
    let parsed = ModelId::parse(ip).unwrap();
    let arn = parsed.arn().unwrap();
    assert_eq!((arn.partition, arn.region), ("aws", "us-east-1"));
    assert_eq!(arn.account_id, "111122223333");
    assert_eq!(
        parsed.normalized().as_deref(),
        Some("anthropic.claude-haiku-4-5-20251001-v1:0")
    );

    for (resource, form) in [
        ("provisioned-model/abc123", ProvisionedModelArn),
        (
            "application-inference-profile/a1b2c3",
            ApplicationInferenceProfileArn,
        ),
        ("custom-model-deployment/xyz", CustomModelDeploymentArn),
        ("imported-model/q9", ImportedModelArn),
        ("prompt/PROMPT12345:1", PromptArn),
    ] {
        let id = format!("arn:aws:bedrock:us-east-1:111122223333:{resource}");
        assert_eq!(parts(&id), (form, None, None, None, None), "{id}");
        assert_eq!(ModelId::parse(&id).unwrap().normalized(), None);
    }
}

#[test]
fn garbage_is_a_typed_error() {
    assert_eq!(ModelId::parse(""), Err(ModelIdError::Empty));
    assert!(matches!(
        ModelId::parse("claude"),
        Err(ModelIdError::NotProviderModel { .. })
    ));
    assert!(matches!(
        ModelId::parse("anthropic..x"),
        Err(ModelIdError::NotProviderModel { .. })
    ));
    assert!(matches!(
        ModelId::parse("a b.c"),
        Err(ModelIdError::InvalidCharacter {
            found: ' ',
            at: 1,
            ..
        })
    ));
    assert!(matches!(
        ModelId::parse("arn:aws:bedrock"),
        Err(ModelIdError::MalformedArn { .. })
    ));
    assert!(matches!(
        ModelId::parse("arn:aws:bedrock:us-east-1::foundation-model"),
        Err(ModelIdError::MalformedArn { .. })
    ));
    let long = "a.".to_owned() + &"b".repeat(MAX_MODEL_ID_LEN);
    assert!(matches!(
        ModelId::parse(&long),
        Err(ModelIdError::TooLong { .. })
    ));
    let message = ModelId::parse("claude").unwrap_err().to_string();
    assert!(message.contains("provider.model"), "{message}");
}

#[test]
fn matching_ignores_wrapping_and_suffixes() {
    let id = ModelId::parse(
        "arn:aws:bedrock:us-east-1:1:inference-profile/eu.meta.llama3-70b-instruct-v1:0",
    )
    .unwrap();
    assert!(id.matches("meta.llama*"));
    assert!(id.matches("meta.llama3-70b-instruct-v1"));
    assert!(!id.matches("meta.llama2*"));
    assert!(
        ModelId::parse("anthropic.claude-v2:1")
            .unwrap()
            .matches("anthropic.claude-v2")
    );
}

/// The splitting as it was written with `str` patterns, kept as the reference for the byte
/// scans that replaced it.
/// Geography, provider, model, version and the normalized rest.
type Split<'a> = (Option<&'a str>, &'a str, &'a str, Option<&'a str>, &'a str);

fn reference_split(named: &str) -> Option<Split<'_>> {
    if named.contains('/') || named.split('.').any(str::is_empty) {
        return None;
    }
    let mut segments = named.split('.');
    let first = segments.next()?;
    let second = segments.next()?;
    let has_third = segments.next().is_some();
    let strip_geography = GEOGRAPHY_PREFIXES.contains(&first)
        && (has_third || KNOWN_PROVIDERS.contains(&second))
        && !KNOWN_PROVIDERS.contains(&first);
    let (geography, rest) = if strip_geography && has_third {
        (Some(first), &named[first.len() + 1..])
    } else {
        (None, named)
    };
    let (provider, model_and_version) = rest.split_once('.')?;
    let (model, version) = split_version(model_and_version);
    if model.is_empty() {
        return None;
    }
    Some((geography, provider, model, version, rest))
}

proptest::proptest! {
    /// Any text made of the characters IDs use splits as the `str`-pattern version split it.
    #[test]
    fn byte_scans_split_as_the_str_patterns_did(
        named in "((us|eu|apac|global|anthropic|amazon|meta)\\.)?[a-z0-9.:/_-]{0,24}"
    ) {
        let ours = ModelId::parse_named(&named, &named).map(|spans| {
            let get = |span: Span| span.get(&named);
            (
                spans.geography.map(get),
                get(spans.provider),
                get(spans.model),
                spans.version.map(get),
                get(spans.normalized),
            )
        });
        proptest::prop_assert_eq!(ours, reference_split(&named));
    }
}
