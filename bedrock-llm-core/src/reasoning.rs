//! Reasoning a family writes inline in its answers, told apart from the answer: the one
//! neutral rule (`</think>` or `</reasoning>` ends it) a family opts into with
//! `inline_reasoning = true`.

use crate::view::{Part, ResponseView};

/// The inline markers: `<think>…</think>` (DeepSeek-R1, Qwen3), `<reasoning>…</reasoning>`
/// (gpt-oss on InvokeModel).
const THINK: (&str, &str) = ("<think>", "</think>");
const REASONING: (&str, &str) = ("<reasoning>", "</reasoning>");

/// Splits reasoning written inline in the answers (`[<think>]reasoning</think>answer`, as
/// DeepSeek-R1 writes on InvokeModel, or `<reasoning>reasoning</reasoning>answer`, as gpt-oss
/// does) into a reasoning part before the answer's text part, so `content` is the answer alone.
/// `</think>` ends reasoning even without its opening tag (DeepSeek-R1's prompt may end with
/// it); `<reasoning>` must open the answer. An answer cut short while still reasoning (the tag
/// never closed) is all reasoning. Tool calls and other parts are kept; messages that already
/// hold reasoning parts, or no marker, stay as they are.
pub fn split_inline_reasoning(view: &mut ResponseView) {
    for message in &mut view.messages {
        if message
            .parts
            .iter()
            .any(|p| matches!(p, Part::Reasoning { .. }))
        {
            continue;
        }
        let text = message.content.trim_start();
        // `<reasoning>` is looked for only where it opens the answer, so only then does
        // `</reasoning>` end anything.
        let (open, close) = if text.starts_with(REASONING.0) {
            REASONING
        } else {
            THINK
        };
        let (reasoning, answer) = match text.split_once(close) {
            Some(split) => split,
            None if text.starts_with(open) => (text, ""),
            None => continue,
        };
        let reasoning = reasoning
            .trim_start()
            .strip_prefix(open)
            .unwrap_or(reasoning)
            .trim();
        let answer = answer.trim_start().to_owned();
        let mut parts = Vec::with_capacity(message.parts.len() + 1);
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
        // Tool calls and results stay, after the answer's text.
        parts.extend(
            message
                .parts
                .drain(..)
                .filter(|p| !matches!(p, Part::Text { .. })),
        );
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
        let mut tagged = view("<reasoning>The user wants one word.</reasoning>ok");
        split_inline_reasoning(&mut tagged);
        assert_eq!(tagged.messages[0].content, "ok");
        assert_eq!(
            tagged.messages[0].parts[0],
            Part::Reasoning {
                content: "The user wants one word.".into()
            }
        );
        // `</reasoning>` ends reasoning only when `<reasoning>` opened the answer.
        let mut quoted = view("Close a block with </reasoning> in the template.");
        split_inline_reasoning(&mut quoted);
        assert!(quoted.messages[0].parts.is_empty());
        // A tool call beside the answer is kept.
        let mut with_call = view("<think>need the weather</think>Calling the tool.");
        with_call.messages[0].parts = vec![
            Part::Text {
                content: "<think>need the weather</think>Calling the tool.".into(),
            },
            Part::ToolCall {
                id: Some("call_1".into()),
                name: "weather".into(),
                arguments: None,
            },
        ];
        split_inline_reasoning(&mut with_call);
        assert_eq!(with_call.messages[0].parts.len(), 3);
        assert!(matches!(
            with_call.messages[0].parts[2],
            Part::ToolCall { .. }
        ));
        let mut plain = view("Lines of quiet time");
        split_inline_reasoning(&mut plain);
        assert_eq!(plain.messages[0].content, "Lines of quiet time");
        assert!(plain.messages[0].parts.is_empty());
    }
}
