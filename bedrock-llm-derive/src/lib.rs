//! `#[bedrock_model]`: typed AWS Bedrock body adapters from annotated structs and enums.
//!
//! The macro reads `#[bedrock_model(...)]` and the `#[llm(...)]` field attributes into a model
//! (`ast`), checks it as a whole (`check`), and generates the trait impls (`expand`).
//! Every error is collected and reported in one compile, and the annotated item is always
//! re-emitted, so one mistake does not cascade into errors elsewhere.
//!
//! # Kinds
//!
//! - `#[bedrock_model(request)]` — a request body: implements `ModelRequest`.
//! - `#[bedrock_model(response)]` — a response body: implements `ModelResponse`.
//! - `#[bedrock_model(part)]` — a struct or enum nested in a body (a message, a choice, a
//!   content block, a usage object).
//! - `#[bedrock_model(model, ids = ["acme.echo-*"], request = Req, response = Resp)]` — on a
//!   unit struct: implements `BedrockModel`. Optional `family = "Acme Echo"` and
//!   `kind = "chat" | "text_completion" | "embedding" | "image_generation" | "rerank" | "video_generation"` (inferred from the bodies otherwise), and
//!   `request_has = "key"` for a family that shares its model IDs with another and reads only
//!   request bodies with that top-level key (Claude Text Completions: `"prompt"`), and
//!   `inline_reasoning = true` for a family whose answers carry the model's reasoning inline,
//!   ended by `</think>` (DeepSeek-R1, Qwen) or wrapped in `<reasoning>…</reasoning>` (gpt-oss):
//!   the record splits it into a reasoning part.
//!
//! Body kinds also derive serde's `Serialize` and `Deserialize` (so `#[serde(...)]` attributes
//! work as usual), never deny unknown fields, and skip `None` options when serializing.
//! `crate = path` names the core crate when it is not `::bedrock_llm_core`.
//!
//! # Roles (`#[llm(...)]` on fields)
//!
//! | role | on | value |
//! |---|---|---|
//! | `prompt` | request | text: a new user message |
//! | `system` | request | text: a system message, placed first |
//! | `messages` | request | `Vec` of parts: one input message each |
//! | `choices` | response | `Vec` of parts: one output message each |
//! | `message` | any | a part: one message |
//! | `completion` | response | text of the output message |
//! | `content`, `text` | any | text of the current message (`text` may repeat) |
//! | `role` | any | the current message's role |
//! | `name`, `json` | any | inside a `block` variant: the placeholder's inner text |
//! | `tool_call_id` | any | inside a `tool_use` or `tool_result` block: the call's id |
//! | `arguments` | any | inside a `tool_use` block: the call's JSON arguments (not rendered as text) |
//! | `reasoning` | response | the model's reasoning text: a reasoning part of the message, never its answer text |
//! | `arguments_delta` | response | in a stream chunk: a piece of a tool call's JSON arguments, appended to the call the chunk's `block_index` names (else the last call) |
//! | `nested` | any | a part whose fields report into the same context |
//! | `embedding_input` | request | string or strings to embed |
//! | `max_tokens`, `top_k`, `choice_count` | request | integer |
//! | `temperature`, `top_p`, `frequency_penalty`, `presence_penalty` | request | number |
//! | `stop_sequences` | request | string or strings |
//! | `tool_name` | request | a tool offered to the model |
//! | `tool_description`, `tool_parameters` | request | that tool's description and JSON schema |
//! | `finish_reason`, `response_id`, `response_model` | response | string (ids may be numbers) |
//! | `input_tokens`, `output_tokens`, `total_tokens`, `cache_read_tokens`, `cache_write_tokens`, `cache_write_1h_tokens` (the 1-hour share of the writes) | response | integer; with `len`, a list whose length is the count |
//! | `embedding` | response | vector, vectors, vectors by type, or `Segments` of objects that each hold one (may repeat: the first present wins) |
//! | `negative_prompt` | request | text the image must not show: a message of role `negative` |
//! | `image_count`, `image_width`, `image_height`, `image_steps` | request | integer |
//! | `image_quality`, `aspect_ratio` | request | string |
//! | `images` | response | a base64 image or a list of them: counted and sized, never kept (may repeat) |
//! | `image_finish_reason` | response | one image's finish reason, or a list of them (`null`s skipped) |
//! | `image_error` | response | why no image came back (a content filter's message) |
//! | `video_duration` | request | seconds: an integer, or text such as `"5s"` |
//! | `video_fps` | request | integer |
//! | `video_dimension`, `video_aspect_ratio` | request | string: `1280x720` or `720p`; `16:9` |
//! | `job_arn` | response | string: an asynchronous job's id (`invocationArn`), what a job (a video, Marengo's video embeddings) returns; recorded as the response id |
//! | `rerank_documents` | request | the documents to rank: a list, counted (never kept) |
//! | `top_n` | request | integer: rerank results asked for |
//! | `rerank_results` | response | the ranked results: a list, counted |
//! | `relevance_score` | response | number: a result's score (the best is kept) |
//!
//! On an enum variant, or on a struct `part`, `#[llm(block = "image")]` renders the value as a
//! placeholder (`<image>`, or `<tool_use>{name}</tool_use>` when its fields add text). A
//! `tool_use` block is also kept as a structured tool call (id, name, arguments) and a
//! `tool_result` block as a tool-call response (id, text), for OpenTelemetry's message parts.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod roles;
mod symbol;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;

use crate::attr::{Args, Kind};
use crate::ctxt::Ctxt;

/// Generates body conversions and event-role mappings for a Bedrock model's body types.
/// See the crate documentation for kinds and roles.
#[proc_macro_attribute]
pub fn bedrock_model(args: TokenStream, input: TokenStream) -> TokenStream {
    expand_item(args.into(), input.into()).into()
}

fn expand_item(args: TokenStream2, input: TokenStream2) -> TokenStream2 {
    let cx = Ctxt::new();
    let args = Args::parse(&cx, args);
    let mut item: syn::DeriveInput = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => {
            cx.error_at(
                Span::call_site(),
                "`#[bedrock_model]` applies to a struct or an enum",
            );
            return with_errors(cx, input);
        }
    };
    let kind = args.kind.as_ref().map(|k| k.value);
    if kind.is_none() && !cx.has_errors() {
        cx.error_at(
            Span::call_site(),
            "say what this item is: `#[bedrock_model(request)]`, `(response)`, `(part)` or `(model, ids = [...], request = …, response = …)`",
        );
    }
    let krate = args
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::bedrock_llm_core));
    let container = ast::Container::from_input(&cx, &mut item, kind, krate.clone());
    check::check(&cx, &container, &args, &item.attrs);
    let generated = if cx.has_errors() {
        expand::fallback(&container)
    } else {
        expand::expand(&container, &args)
    };
    if kind != Some(Kind::Model) {
        add_serde(&mut item, &krate);
    }
    let emitted = quote!(#item #generated);
    with_errors(cx, emitted)
}

fn with_errors(cx: Ctxt, tokens: TokenStream2) -> TokenStream2 {
    match cx.check() {
        Ok(()) => tokens,
        Err(errors) => {
            let errors = errors.to_compile_error();
            quote!(#tokens #errors)
        }
    }
}

/// Derives serde through the core crate's re-export, and skips `None` when serializing so a
/// body round-trips without gaining `null`s.
fn add_serde(item: &mut syn::DeriveInput, krate: &syn::Path) {
    let serde_path = quote!(#krate::__private::serde)
        .to_string()
        .replace(' ', "");
    item.attrs.insert(
        0,
        syn::parse_quote! {
            #[derive(#krate::__private::serde::Serialize, #krate::__private::serde::Deserialize)]
        },
    );
    item.attrs
        .insert(1, syn::parse_quote!(#[serde(crate = #serde_path)]));
    let fields: Vec<&mut syn::Field> = match &mut item.data {
        syn::Data::Struct(data) => data.fields.iter_mut().collect(),
        syn::Data::Enum(data) => data
            .variants
            .iter_mut()
            .flat_map(|v| v.fields.iter_mut())
            .collect(),
        syn::Data::Union(_) => Vec::new(),
    };
    for field in fields {
        if field.ident.is_some()
            && is_option(&field.ty)
            && !mentions_serde_key(&field.attrs, "skip_serializing_if")
        {
            field.attrs.push(syn::parse_quote!(#[serde(skip_serializing_if = "::core::option::Option::is_none")]));
        }
    }
}

fn is_option(ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    path.qself.is_none()
        && path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Option")
}

fn mentions_serde_key(attrs: &[syn::Attribute], key: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                found |= meta.path.is_ident(key);
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
            found
        })
}
