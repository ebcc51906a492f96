//! Reasoning a family writes inline in its answers, told apart from the answer: the one
//! neutral rule (`</think>` ends it) a family opts into with `inline_reasoning = true`.

use crate::view::{Part, ResponseView};

/// Splits reasoning written inline in the answers (`[<think>]reasoning</think>answer`, as
/// DeepSeek-R1 writes on InvokeModel) into a reasoning part before the answer's text part, so
/// `content` is the answer alone. An answer cut short while still reasoning (`<think>` never
/// closed) is all reasoning. Messages that already hold reasoning parts, or no marker, stay.
pub fn split_inline_reasoning(view: &mut ResponseView) {
    const OPEN: &str = "<think>";
    const CLOSE: &str = "</think>";
    for message in &mut view.messages {
        if message
            .parts
            .iter()
            .any(|p| matches!(p, Part::Reasoning { .. }))
        {
            continue;
        }
        let text = message.content.trim_start();
        let (reasoning, answer) = match text.split_once(CLOSE) {
            Some((reasoning, answer)) => (reasoning, answer),
            None if text.starts_with(OPEN) => (text, ""),
            None => continue,
        };
        let reasoning = reasoning
            .trim_start()
            .strip_prefix(OPEN)
            .unwrap_or(reasoning)
            .trim();
        let answer = answer.trim_start().to_owned();
        let mut parts = Vec::new();
        if !reasoning.is_empty() {
            parts.push(Part::Reasoning {
                content: reasoning.to_owned(),
            });
        }
        if !answer.is_empty() {
            parts.push(Part::Text {
                content: answer.clone(),
            });
        }
        message.parts = parts;
        message.content = answer;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{Message, Role};

    #[test]
    fn inline_reasoning_is_split_from_the_answer() {
        let view = |content: &str| ResponseView {
            messages: vec![Message::new(Role::Assistant, content)],
            ..ResponseView::default()
        };
        let mut closed = view("91 = 7 × 13.\n</think>\n\nNo, 91 is not prime.");
        split_inline_reasoning(&mut closed);
        assert_eq!(closed.messages[0].content, "No, 91 is not prime.");
        assert_eq!(
            closed.messages[0].parts,
            vec![
                Part::Reasoning {
                    content: "91 = 7 × 13.".into()
                },
                Part::Text {
                    content: "No, 91 is not prime.".into()
                },
            ]
        );
        let mut opened = view("<think>check 2, 3</think>Yes.");
        split_inline_reasoning(&mut opened);
        assert_eq!(opened.messages[0].content, "Yes.");
        let mut cut = view("<think>still thinking");
        split_inline_reasoning(&mut cut);
        assert_eq!(cut.messages[0].content, "");
        assert_eq!(
            cut.messages[0].parts,
            vec![Part::Reasoning {
                content: "still thinking".into()
            }]
        );
        let mut plain = view("Lines of quiet time");
        split_inline_reasoning(&mut plain);
        assert_eq!(plain.messages[0].content, "Lines of quiet time");
        assert!(plain.messages[0].parts.is_empty());
    }
}
