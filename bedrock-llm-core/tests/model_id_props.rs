//! Property tests for `ModelId`: every form round-trips to its original text and back to the
//! parts it was built from; arbitrary input never panics.

use bedrock_llm_core::{GEOGRAPHY_PREFIXES, KNOWN_PROVIDERS};
use bedrock_llm_core::{ModelId, ModelIdForm};
use proptest::prelude::*;

fn provider() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(KNOWN_PROVIDERS).prop_map(str::to_owned),
        "[a-z][a-z0-9]{1,8}".prop_filter("not a geography", |p| !GEOGRAPHY_PREFIXES
            .contains(&p.as_str())),
    ]
}

/// A model name whose last segment cannot be mistaken for a version.
fn model_name() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec("[a-z0-9]{1,8}", 0..4),
        "[a-uw-z][a-z0-9]{0,6}",
    )
        .prop_map(|(mut head, last)| {
            head.push(last);
            head.join("-")
        })
}

fn version() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        "v[0-9]{1,2}",
        "v[0-9]{1,2}:[0-9]{1,2}",
        "v[0-9]:[0-9]:[0-9]{1,3}k",
        "[0-9]:[0-9]",
    ])
}

#[derive(Debug, Clone)]
enum Wrapping {
    Bare,
    FoundationModelArn,
    InferenceProfileArn { account: String },
}

fn wrapping() -> impl Strategy<Value = Wrapping> {
    prop_oneof![
        Just(Wrapping::Bare),
        Just(Wrapping::FoundationModelArn),
        "[0-9]{12}".prop_map(|account| Wrapping::InferenceProfileArn { account }),
    ]
}

proptest! {
    #[test]
    fn named_forms_round_trip(
        geography in proptest::option::of(proptest::sample::select(GEOGRAPHY_PREFIXES)),
        provider in provider(),
        model in model_name(),
        version in version(),
        wrapping in wrapping(),
        region in "(us|eu|ap)-(east|west|south)-[1-3]",
    ) {
        let mut named = format!("{provider}.{model}");
        if let Some(version) = &version {
            named = format!("{named}-{version}");
        }
        let normalized = named.clone();
        // Foundation-model ARNs never carry a geography.
        let geography = match wrapping { Wrapping::FoundationModelArn => None, _ => geography };
        if let Some(geo) = geography {
            named = format!("{geo}.{named}");
        }
        let (text, form) = match &wrapping {
            Wrapping::Bare if geography.is_some() => (named.clone(), ModelIdForm::InferenceProfile),
            Wrapping::Bare => (named.clone(), ModelIdForm::Base),
            Wrapping::FoundationModelArn => (
                format!("arn:aws:bedrock:{region}::foundation-model/{named}"),
                ModelIdForm::FoundationModelArn,
            ),
            Wrapping::InferenceProfileArn { account } => (
                format!("arn:aws:bedrock:{region}:{account}:inference-profile/{named}"),
                ModelIdForm::InferenceProfileArn,
            ),
        };

        let id = ModelId::parse(&text).unwrap();
        prop_assert_eq!(id.as_str(), text.as_str());
        prop_assert_eq!(id.to_string(), text.clone());
        prop_assert_eq!(id.form(), form);
        prop_assert_eq!(id.geography(), geography);
        prop_assert_eq!(id.provider(), Some(provider.as_str()));
        prop_assert_eq!(id.model(), Some(model.as_str()));
        prop_assert_eq!(id.version(), version.as_deref());
        prop_assert_eq!(id.normalized(), Some(normalized.clone()));
        let pattern = format!("{provider}.{model}*");
        prop_assert!(id.matches(&pattern));
        prop_assert_eq!(text.parse::<ModelId>().unwrap(), id);
    }

    #[test]
    fn opaque_arns_round_trip_without_a_family(
        resource_type in proptest::sample::select(&[
            "provisioned-model",
            "application-inference-profile",
            "custom-model-deployment",
            "imported-model",
            "prompt",
        ][..]),
        resource_id in "[a-z0-9]{4,16}(:[0-9])?",
        account in "[0-9]{12}",
    ) {
        let text = format!("arn:aws:bedrock:us-east-1:{account}:{resource_type}/{resource_id}");
        let id = ModelId::parse(&text).unwrap();
        prop_assert_eq!(id.as_str(), text.as_str());
        prop_assert!(!id.form().names_model());
        prop_assert_eq!(id.provider(), None);
        prop_assert_eq!(id.normalized(), None);
        let arn = id.arn().unwrap();
        prop_assert_eq!(arn.resource_type, resource_type);
        prop_assert_eq!(arn.resource_id, resource_id.as_str());
        prop_assert_eq!(arn.account_id, account.as_str());
    }

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        if let Ok(id) = ModelId::parse(&text) {
            prop_assert_eq!(id.as_str(), text.as_str());
        } else {
            // The error always renders.
            let _ = ModelId::parse(&text).unwrap_err().to_string();
        }
    }

    #[test]
    fn strings_from_the_id_alphabet_never_panic(text in "[a-z0-9.:/_-]{0,64}") {
        match ModelId::parse(&text) {
            Ok(id) => {
                prop_assert_eq!(id.as_str(), text.as_str());
                let _ = id.normalized();
            }
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }
}
