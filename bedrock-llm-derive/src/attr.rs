//! Attribute parsing: `#[bedrock_model(...)]` arguments and `#[llm(...)]` field and variant
//! attributes, read into plain values that carry their spans.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Ident, LitStr, Token};

use crate::ctxt::{Ctxt, did_you_mean};
use crate::roles::{self, BLOCK, LEN, Role};
use crate::symbol::{
    self, CHUNK, CRATE, FAMILY, IDS, INLINE_REASONING, KIND, REQUEST, REQUEST_HAS, RESPONSE,
};

/// What the annotated item is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Request,
    Response,
    Part,
    Model,
}

impl Kind {
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            Self::Request => symbol::REQUEST,
            Self::Response => symbol::RESPONSE,
            Self::Part => symbol::PART,
            Self::Model => symbol::MODEL,
        }
    }
}

/// A value and the span it was written at.
#[derive(Clone)]
pub(crate) struct Sp<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
}

/// The parsed `#[bedrock_model(...)]` arguments.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) kind: Option<Sp<Kind>>,
    pub(crate) krate: Option<syn::Path>,
    pub(crate) ids: Option<Sp<Vec<LitStr>>>,
    pub(crate) request: Option<syn::Type>,
    pub(crate) response: Option<syn::Type>,
    pub(crate) chunk: Option<syn::Type>,
    pub(crate) family: Option<LitStr>,
    pub(crate) exchange: Option<LitStr>,
    pub(crate) request_has: Option<LitStr>,
    pub(crate) inline_reasoning: Option<syn::LitBool>,
}

impl Args {
    /// Parses the arguments. Syntax errors end parsing; everything else is collected in `cx`.
    pub(crate) fn parse(cx: &Ctxt, tokens: TokenStream) -> Self {
        let mut args = Self::default();
        let parser = |input: ParseStream<'_>| {
            while !input.is_empty() {
                let key = input.call(Ident::parse_any)?;
                let name = key.to_string();
                if input.peek(Token![=]) {
                    input.parse::<Token![=]>()?;
                    args.parse_value(cx, &key, &name, input)?;
                } else if let Some(kind) = kind_of(&name) {
                    args.set_kind(cx, kind, key.span());
                } else {
                    unknown_key(cx, &key, &name);
                }
                if input.is_empty() {
                    break;
                }
                input.parse::<Token![,]>()?;
            }
            Ok(())
        };
        if let Err(error) = parser.parse2(tokens) {
            cx.syn_error(error);
        }
        args
    }

    fn set_kind(&mut self, cx: &Ctxt, kind: Kind, span: Span) {
        match &self.kind {
            Some(first) if first.value == kind => {
                cx.error_at(span, format!("duplicate `{}` argument", kind.keyword()));
            }
            Some(first) => cx.error_at(
                span,
                format!(
                    "conflicting kinds: `{}` and `{}`; an item is exactly one of `request`, `response`, `part` or `model`",
                    first.value.keyword(),
                    kind.keyword()
                ),
            ),
            None => self.kind = Some(Sp { value: kind, span }),
        }
    }

    fn parse_value(
        &mut self,
        cx: &Ctxt,
        key: &Ident,
        name: &str,
        input: ParseStream<'_>,
    ) -> syn::Result<()> {
        let duplicate = || cx.error_spanned_by(key, format!("duplicate `{name}` argument"));
        match name {
            CRATE => {
                let path = if input.peek(LitStr) {
                    input.parse::<LitStr>()?.parse()?
                } else {
                    input.parse()?
                };
                if self.krate.replace(path).is_some() {
                    duplicate();
                }
            }
            IDS => {
                let content;
                let bracket = syn::bracketed!(content in input);
                let ids: Punctuated<LitStr, Token![,]> =
                    content.parse_terminated(|i| i.parse(), Token![,])?;
                let value = Sp {
                    value: ids.into_iter().collect(),
                    span: bracket.span.join(),
                };
                if self.ids.replace(value).is_some() {
                    duplicate();
                }
            }
            REQUEST | RESPONSE | CHUNK => {
                let ty: syn::Type = input.parse()?;
                let slot = match name {
                    REQUEST => &mut self.request,
                    RESPONSE => &mut self.response,
                    _ => &mut self.chunk,
                };
                if slot.replace(ty).is_some() {
                    duplicate();
                }
            }
            INLINE_REASONING => {
                let lit: syn::LitBool = input.parse()?;
                if self.inline_reasoning.replace(lit).is_some() {
                    duplicate();
                }
            }
            REQUEST_HAS => {
                let lit: LitStr = input.parse()?;
                if lit.value().is_empty() {
                    cx.error_spanned_by(&lit, "`request_has` names a top-level key of the request body, e.g. `\"messages\"`");
                }
                if self.request_has.replace(lit).is_some() {
                    duplicate();
                }
            }
            FAMILY => {
                if self.family.replace(input.parse()?).is_some() {
                    duplicate();
                }
            }
            KIND => {
                let lit: LitStr = input.parse()?;
                if !symbol::EXCHANGE_KINDS.contains(&lit.value().as_str()) {
                    // expected `kind = "chat"`, `"text_completion"`, … or `"video_generation"`
                    let last = symbol::EXCHANGE_KINDS.len() - 1;
                    let mut expected = String::from("expected `kind = ");
                    for (index, kind) in symbol::EXCHANGE_KINDS.iter().enumerate() {
                        let separator = match index {
                            0 => "",
                            i if i == last => " or `",
                            _ => ", `",
                        };
                        expected.push_str(&format!("{separator}\"{kind}\"`"));
                    }
                    cx.error_spanned_by(&lit, expected);
                }
                if self.exchange.replace(lit).is_some() {
                    duplicate();
                }
            }
            _ => {
                unknown_key(cx, key, name);
                // Skip the value so the remaining arguments still parse.
                let _: TokenStream = input.step(|cursor| {
                    let mut rest = *cursor;
                    while let Some((tt, next)) = rest.token_tree() {
                        if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
                            break;
                        }
                        rest = next;
                    }
                    Ok((TokenStream::new(), rest))
                })?;
            }
        }
        Ok(())
    }

    /// Reports model-only arguments given to a body kind.
    pub(crate) fn check_kind_arguments(&self, cx: &Ctxt, kind: Kind) {
        if kind == Kind::Model {
            return;
        }
        let misplaced = |span: Span, key: &str| {
            cx.error_at(
                span,
                format!(
                    "`{key}` only applies to `#[bedrock_model(model, ...)]`, not to a `{}`",
                    kind.keyword()
                ),
            );
        };
        if let Some(ids) = &self.ids {
            misplaced(ids.span, "ids");
        }
        if let Some(family) = &self.family {
            misplaced(family.span(), "family");
        }
        if let Some(exchange) = &self.exchange {
            misplaced(exchange.span(), "kind");
        }
        if let Some(key) = &self.request_has {
            misplaced(key.span(), "request_has");
        }
        if let Some(flag) = &self.inline_reasoning {
            misplaced(flag.span(), "inline_reasoning");
        }
        for ty in [&self.request, &self.response, &self.chunk]
            .into_iter()
            .flatten()
        {
            cx.error_spanned_by(
                ty,
                format!("`request = …`, `response = …` and `chunk = …` only apply to `#[bedrock_model(model, ...)]`, not to a `{}`", kind.keyword()),
            );
        }
    }
}

fn kind_of(name: &str) -> Option<Kind> {
    [Kind::Request, Kind::Response, Kind::Part, Kind::Model]
        .into_iter()
        .find(|kind| kind.keyword() == name)
}

fn unknown_key(cx: &Ctxt, key: &Ident, name: &str) {
    let hint = match did_you_mean(name, symbol::all_arguments()) {
        Some(close) => format!("; did you mean `{close}`?"),
        None => format!(
            "; expected one of {}",
            list(
                symbol::KINDS
                    .into_iter()
                    .chain(symbol::MODEL_KEYS)
                    .chain([CRATE])
            )
        ),
    };
    cx.error_spanned_by(
        key,
        format!("unknown `bedrock_model` argument `{name}`{hint}"),
    );
}

fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A role as written on a field.
#[derive(Clone, Debug)]
pub(crate) struct RoleUse {
    pub(crate) role: Role,
    pub(crate) span: Span,
}

/// Everything `#[llm(...)]` says about one field.
#[derive(Default, Debug)]
pub(crate) struct FieldAttrs {
    pub(crate) roles: Vec<RoleUse>,
    pub(crate) len: Option<Span>,
}

/// Everything `#[llm(...)]` says about one enum variant.
#[derive(Default)]
pub(crate) struct VariantAttrs {
    pub(crate) block: Option<LitStr>,
}

/// Removes every `#[llm(...)]` from `attrs` and returns them.
pub(crate) fn take_llm_attrs(attrs: &mut Vec<syn::Attribute>) -> Vec<syn::Attribute> {
    let (llm, rest) = std::mem::take(attrs)
        .into_iter()
        .partition(|a| a.path().is_ident("llm"));
    *attrs = rest;
    llm
}

/// Parses the `#[llm(...)]` attributes of a field.
pub(crate) fn field_attrs(cx: &Ctxt, attrs: &[syn::Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in attrs {
        let mut empty = true;
        let result = attr.parse_nested_meta(|meta| {
            empty = false;
            let Some(ident) = meta.path.get_ident() else {
                cx.error_spanned_by(
                    &meta.path,
                    "expected a role name such as `prompt` or `completion`",
                );
                return Ok(());
            };
            let name = ident.to_string();
            if name == BLOCK {
                cx.error_spanned_by(ident, "`block` goes on an enum variant, not on a field");
                let _: LitStr = meta.value()?.parse()?;
                return Ok(());
            }
            if name == LEN {
                if out.len.replace(ident.span()).is_some() {
                    cx.error_spanned_by(ident, "duplicate `len` modifier");
                }
                return Ok(());
            }
            match roles::lookup(&name) {
                Some(role) => {
                    if out.roles.iter().any(|r| r.role.keyword == role.keyword) {
                        cx.error_spanned_by(
                            ident,
                            format!("duplicate role `{name}` on this field"),
                        );
                    } else {
                        out.roles.push(RoleUse {
                            role,
                            span: ident.span(),
                        });
                    }
                }
                None => unknown_role(cx, ident, &name),
            }
            Ok(())
        });
        match result {
            Err(error) => cx.syn_error(error),
            Ok(()) if empty => cx.error_spanned_by(attr, "expected a role, e.g. `#[llm(prompt)]`"),
            Ok(()) => {}
        }
    }
    out
}

/// Parses the `#[llm(...)]` attributes of an enum variant.
pub(crate) fn variant_attrs(cx: &Ctxt, attrs: &[syn::Attribute]) -> VariantAttrs {
    let mut out = VariantAttrs::default();
    for attr in attrs {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(BLOCK) {
                let tag: LitStr = meta.value()?.parse()?;
                let text = tag.value();
                if text.is_empty() || !text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    cx.error_spanned_by(&tag, "a block tag is lowercase letters and `_`, e.g. `\"tool_use\"`");
                }
                if out.block.replace(tag).is_some() {
                    cx.error_spanned_by(&meta.path, "duplicate `block`");
                }
            } else if let Some(ident) = meta.path.get_ident() {
                let name = ident.to_string();
                if roles::lookup(&name).is_some() || name == LEN {
                    cx.error_spanned_by(
                        ident,
                        format!("`{name}` goes on a field; on a variant, `#[llm(...)]` takes only `block = \"tag\"`"),
                    );
                } else {
                    cx.error_spanned_by(ident, format!("unknown variant attribute `{name}`; expected `block = \"tag\"`"));
                }
            } else {
                cx.error_spanned_by(&meta.path, "expected `block = \"tag\"`");
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    out
}

fn unknown_role(cx: &Ctxt, ident: &Ident, name: &str) {
    let hint = match did_you_mean(name, roles::ROLES.iter().map(|r| r.keyword).chain([LEN])) {
        Some(close) => format!("; did you mean `{close}`?"),
        None => "; see the `bedrock_model` docs for the list of roles".to_owned(),
    };
    cx.error_spanned_by(ident, format!("unknown role `{name}`{hint}"));
}

/// Whether a serde container attribute list says `deny_unknown_fields`.
pub(crate) fn serde_denies_unknown_fields(attrs: &[syn::Attribute]) -> Option<Span> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                found = Some(meta.path.span());
            } else if meta.input.peek(Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    found
}
