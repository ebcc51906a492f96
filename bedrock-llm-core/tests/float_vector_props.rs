//! Property tests for `FloatVector`: any list of numbers reads back with its length and values,
//! whatever the spacing; anything else is refused with the element named; nothing panics.

use bedrock_llm_core::FloatVector;
use proptest::prelude::*;

/// Numbers as JSON writes them, with the spacing bodies use between them.
fn spaced_array(values: &[f32], spaces: &[&str]) -> String {
    let items: Vec<String> = values
        .iter()
        .zip(spaces.iter().cycle())
        .map(|(value, space)| format!("{space}{value}{space}"))
        .collect();
    format!("[{}]", items.join(","))
}

proptest! {
    #[test]
    fn numbers_read_back_with_their_length_and_values(
        values in proptest::collection::vec(-1.0e6f32..1.0e6, 0..300),
        spaces in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("\n  ")], 1..4),
    ) {
        let text = spaced_array(&values, &spaces);
        let vector: FloatVector = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(vector.len(), values.len());
        prop_assert_eq!(vector.to_f32().unwrap(), values.clone());
        prop_assert_eq!(vector.as_json(), text.as_str());
        let rebuilt = FloatVector::from_values(&values).unwrap();
        prop_assert_eq!(rebuilt.len(), values.len());
        prop_assert_eq!(rebuilt.to_f32().unwrap(), values);
    }

    #[test]
    fn anything_but_numbers_is_refused_naming_the_element(
        values in proptest::collection::vec(-1.0e3f64..1.0e3, 0..20),
        intruder in prop_oneof![Just("\"x\""), Just("null"), Just("true"), Just("[1]"), Just("{}")],
        at in any::<prop::sample::Index>(),
    ) {
        let mut items: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let position = at.index(items.len() + 1);
        items.insert(position, intruder.to_owned());
        let text = format!("[{}]", items.join(","));
        let error = serde_json::from_str::<FloatVector>(&text).unwrap_err().to_string();
        let expected = format!("element {position} is not a number");
        prop_assert!(error.contains(&expected), "{}", error);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        if let Ok(vector) = serde_json::from_str::<FloatVector>(&text)
            && let Ok(values) = vector.to_f64()
        {
            prop_assert_eq!(values.len(), vector.len());
        }
    }
}

#[test]
fn forms_that_are_not_arrays_are_refused() {
    for text in ["1", "\"[1]\"", "{\"a\": [1]}", "null"] {
        let error = serde_json::from_str::<FloatVector>(text).unwrap_err();
        assert!(
            error.to_string().contains("expected an array of numbers"),
            "{text}: {error}"
        );
    }
    let empty: FloatVector = serde_json::from_str("[ ]").unwrap();
    assert!(empty.is_empty());
}
