//! Checks on the whole item, run after parsing and before expansion. Each check reports to
//! the context and carries on, so one compile shows every mistake.

use std::collections::HashMap;

use proc_macro2::Span;

use crate::ast::{Container, Data, Field, Style};
use crate::attr::{Args, Kind};
use crate::ctxt::Ctxt;
use crate::roles::{self, Side};

pub(crate) fn check(cx: &Ctxt, container: &Container, args: &Args, item_attrs: &[syn::Attribute]) {
    let Some(kind) = container.kind else { return };
    args.check_kind_arguments(cx, kind);
    if !container.generics.params.is_empty() {
        cx.error_spanned_by(
            &container.generics,
            "`#[bedrock_model]` types cannot be generic: a body type owns its data and is named by a model",
        );
    }
    if kind == Kind::Model {
        check_model(cx, container, args);
        return;
    }
    if let Some(span) = crate::attr::serde_denies_unknown_fields(item_attrs) {
        cx.error_at(
            span,
            "`deny_unknown_fields` breaks on every new key Bedrock adds; `#[bedrock_model]` bodies ignore unknown fields",
        );
    }
    match &container.data {
        Data::Struct(Style::Unit, _) => cx.error_spanned_by(
            &container.ident,
            format!("a `{}` body needs fields: use a struct with named fields, a tuple struct or an enum", kind.keyword()),
        ),
        Data::Struct(_, fields) => check_fields(cx, kind, fields.iter()),
        Data::Enum(variants) => {
            for variant in variants {
                check_fields(cx, kind, variant.fields.iter());
            }
        }
    }
    for field in container.all_fields() {
        check_field_sides(cx, kind, field);
        check_len(cx, field);
    }
    if kind == Kind::Response {
        check_response_output(cx, container);
    }
}

/// A role may appear on one field only, unless it is a repeatable role such as `nested`.
fn check_fields<'a>(cx: &Ctxt, kind: Kind, fields: impl Iterator<Item = &'a Field>) {
    let mut first_use: HashMap<&'static str, (String, Span)> = HashMap::new();
    for field in fields {
        for role_use in &field.attrs.roles {
            if !role_use.role.unique {
                continue;
            }
            let name = member_name(field);
            match first_use.get(role_use.role.keyword) {
                Some((first, _)) => cx.error_at(
                    role_use.span,
                    format!(
                        "duplicate role `{}`: field `{first}` already has it, and a {} body reports it once",
                        role_use.role.keyword,
                        kind.keyword()
                    ),
                ),
                None => {
                    first_use.insert(role_use.role.keyword, (name, role_use.span));
                }
            }
        }
    }
}

fn member_name(field: &Field) -> String {
    match &field.member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    }
}

fn check_field_sides(cx: &Ctxt, kind: Kind, field: &Field) {
    let body_side = match kind {
        Kind::Request => Side::Request,
        Kind::Response => Side::Response,
        Kind::Part | Kind::Model => return,
    };
    for role_use in &field.attrs.roles {
        let role = role_use.role;
        if role.side != Side::Any && role.side != body_side {
            let belongs = if role.side == Side::Request {
                crate::symbol::REQUEST
            } else {
                crate::symbol::RESPONSE
            };
            cx.error_at(
                role_use.span,
                format!(
                    "role `{}` belongs on a {belongs} body, but this is a `{}`; move it to the {belongs} type (or a `part` nested in it)",
                    role.keyword,
                    kind.keyword()
                ),
            );
        }
    }
}

fn check_len(cx: &Ctxt, field: &Field) {
    let Some(span) = field.attrs.len else { return };
    let counts_tokens = field
        .attrs
        .roles
        .iter()
        .any(|r| matches!(r.role.sink, roles::Sink::Tokens(_)));
    if !counts_tokens {
        let others: Vec<&str> = field.attrs.roles.iter().map(|r| r.role.keyword).collect();
        let found = if others.is_empty() {
            "no role".to_owned()
        } else {
            format!("`{}`", others.join("`, `"))
        };
        cx.error_at(
            span,
            format!("`len` counts list elements as tokens, so it needs a token role such as `output_tokens`; this field has {found}"),
        );
    }
}

fn check_response_output(cx: &Ctxt, container: &Container) {
    let mut text_output: Option<Span> = None;
    let mut embedding: Option<Span> = None;
    let mut any_output = false;
    for field in container.all_fields() {
        for role_use in &field.attrs.roles {
            any_output |= roles::is_output(&role_use.role);
            if roles::is_text_output(&role_use.role) {
                text_output.get_or_insert(role_use.span);
            }
            if role_use.role.sink == roles::Sink::Embedding {
                embedding.get_or_insert(role_use.span);
            }
        }
    }
    if !any_output {
        cx.error_spanned_by(
            &container.ident,
            format!(
                "response `{}` has no output role: mark the generated text with `#[llm(completion)]` (or `choices`, `message`, `content`), the vectors with `#[llm(embedding)]`, or a sub-object holding them with `#[llm(nested)]`",
                container.ident
            ),
        );
    }
    if let (Some(_), Some(embedding)) = (text_output, embedding) {
        cx.error_at(
            embedding,
            "a response is either a completion or an embedding: `embedding` conflicts with the text role on another field",
        );
    }
}

fn check_model(cx: &Ctxt, container: &Container, args: &Args) {
    let is_unit = matches!(container.data, Data::Struct(Style::Unit, _));
    if !is_unit {
        cx.error_spanned_by(
            &container.ident,
            "a `model` is a unit struct (`pub struct AcmeEcho;`); its bodies are the `request = …` and `response = …` types",
        );
    }
    if args.request.is_none() {
        cx.error_spanned_by(&container.ident, "a `model` needs `request = RequestType`");
    }
    if args.response.is_none() {
        cx.error_spanned_by(
            &container.ident,
            "a `model` needs `response = ResponseType`",
        );
    }
    match &args.ids {
        None => cx.error_spanned_by(
            &container.ident,
            "a `model` needs `ids = [\"provider.model-*\", …]`: the model IDs it serves",
        ),
        Some(ids) if ids.value.is_empty() => {
            cx.error_at(ids.span, "`ids` must list at least one model-ID pattern")
        }
        Some(ids) => {
            for id in &ids.value {
                if let Err(problem) = check_id_pattern(&id.value()) {
                    cx.error_spanned_by(id, problem);
                }
            }
        }
    }
}

/// A pattern is a normalized model ID (`provider.model…`), optionally ending in `*`.
fn check_id_pattern(pattern: &str) -> Result<(), String> {
    if pattern.starts_with("arn:") {
        return Err(
            "patterns match the normalized ID `provider.model…`; drop the ARN wrapping".to_owned(),
        );
    }
    if let Some(bad) = pattern
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '*')))
    {
        return Err(format!(
            "`{bad}` cannot appear in a model ID; expected letters, digits and `.-_:`"
        ));
    }
    let body = pattern.strip_suffix('*').unwrap_or(pattern);
    if body.contains('*') {
        return Err("`*` is allowed only at the end of a pattern (a prefix match)".to_owned());
    }
    let Some((first, rest)) = body.split_once('.') else {
        return Err("expected `provider.model…`, e.g. `acme.echo-*`".to_owned());
    };
    if first.is_empty() {
        return Err("expected `provider.model…`, e.g. `acme.echo-*`".to_owned());
    }
    if ["us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"].contains(&first)
        && rest.contains('.')
    {
        return Err(format!(
            "drop the `{first}.` geography: patterns match the normalized ID, so one pattern serves every region"
        ));
    }
    Ok(())
}
