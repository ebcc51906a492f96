//! Code generation: the trait impls for a checked item, and stub impls for an item with errors
//! so that code using it does not drown in follow-on errors (thiserror's fallback).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;

use crate::ast::{Container, Data, Field, Style, Variant};
use crate::attr::{Args, Kind};
use crate::roles::Sink;
use crate::symbol;

/// The impls for a checked item.
pub(crate) fn expand(container: &Container, args: &Args) -> TokenStream {
    let impls = match container.kind {
        Some(Kind::Model) => model_impl(container, args),
        Some(kind) => body_impls(container, kind),
        None => TokenStream::new(),
    };
    wrap(impls)
}

/// Stub impls for an item with errors: its name still satisfies the traits.
pub(crate) fn fallback(container: &Container) -> TokenStream {
    if !container.generics.params.is_empty() {
        // Already reported; an impl without the parameters would only add noise.
        return TokenStream::new();
    }
    let krate = &container.krate;
    let p = quote!(#krate::__private);
    let ident = &container.ident;
    let unreachable = quote!(::core::unreachable!(
        "`#[bedrock_model]` reported a compile error for this type"
    ));
    let kind_impl = match container.kind {
        Some(Kind::Request) => quote! {
            impl #krate::ModelRequest for #ident {
                const HAS_MESSAGES: bool = false;
                fn from_body(_: &[u8]) -> ::core::result::Result<Self, #krate::BodyError> { #unreachable }
                fn to_body(&self) -> ::core::result::Result<::std::vec::Vec<u8>, #krate::BodyError> { #unreachable }
                fn view(&self) -> #krate::RequestView { #unreachable }
            }
        },
        Some(Kind::Response) => quote! {
            impl #krate::ModelResponse for #ident {
                const HAS_EMBEDDING: bool = false;
                fn from_body(_: &[u8]) -> ::core::result::Result<Self, #krate::BodyError> { #unreachable }
                fn to_body(&self) -> ::core::result::Result<::std::vec::Vec<u8>, #krate::BodyError> { #unreachable }
                fn view(&self) -> #krate::ResponseView { #unreachable }
            }
        },
        _ => TokenStream::new(),
    };
    let extract = match container.kind {
        Some(Kind::Model) | None => TokenStream::new(),
        Some(_) => quote! {
            impl #p::Extract for #ident {
                fn extract(&self, _: &mut #p::Collector) { #unreachable }
            }
            impl #p::TextValue for #ident {
                fn write_text(&self, _: &mut #p::Collector) { #unreachable }
            }
        },
    };
    wrap(quote!(#kind_impl #extract))
}

fn wrap(impls: TokenStream) -> TokenStream {
    if impls.is_empty() {
        return impls;
    }
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = { #impls };
    }
}

fn body_impls(container: &Container, kind: Kind) -> TokenStream {
    let krate = &container.krate;
    let p = quote!(#krate::__private);
    let ident = &container.ident;
    let name = ident.to_string();
    let extract_body = match &container.data {
        Data::Struct(_, fields) => {
            let statements = fields.iter().map(|field| {
                let member = &field.member;
                field_statements(container, field, &quote!(&self.#member))
            });
            match &container.block {
                Some(tag) => quote! {
                    __cx.block(#tag, |__cx: &mut #krate::__private::Collector| { #(#statements)* });
                },
                None => quote!(#(#statements)*),
            }
        }
        Data::Enum(variants) => {
            let arms = variants
                .iter()
                .map(|variant| variant_arm(container, variant));
            quote! {
                match self {
                    #(#arms)*
                }
            }
        }
    };
    let has_messages = const_flag(container, "HAS_MESSAGES", |sink| {
        matches!(sink, Sink::EachMessage)
    });
    let has_embedding = const_flag(container, "HAS_EMBEDDING", |sink| {
        matches!(sink, Sink::Embedding)
    });
    let has_images = const_flag(container, "HAS_IMAGES", |sink| matches!(sink, Sink::Images));
    let has_rerank = const_flag(container, "HAS_RERANK", |sink| {
        matches!(sink, Sink::RerankResults)
    });
    let extract = quote! {
        #[automatically_derived]
        impl #p::Extract for #ident {
            const HAS_MESSAGES: bool = #has_messages;
            const HAS_EMBEDDING: bool = #has_embedding;
            const HAS_IMAGES: bool = #has_images;
            const HAS_RERANK: bool = #has_rerank;

            #[allow(unused_variables)]
            fn extract(&self, __cx: &mut #p::Collector) {
                #extract_body
            }
        }

        #[automatically_derived]
        impl #p::TextValue for #ident {
            fn write_text(&self, __cx: &mut #p::Collector) {
                #p::Extract::extract(self, __cx);
            }
        }
    };
    let trait_impl = match kind {
        Kind::Request => quote! {
            #[automatically_derived]
            impl #krate::ModelRequest for #ident {
                const HAS_MESSAGES: bool = <Self as #p::Extract>::HAS_MESSAGES;

                fn from_body(body: &[u8]) -> ::core::result::Result<Self, #krate::BodyError> {
                    #p::decode(body, #krate::BodySide::Request, #name)
                }

                fn to_body(&self) -> ::core::result::Result<::std::vec::Vec<u8>, #krate::BodyError> {
                    #p::encode(self, #krate::BodySide::Request, #name)
                }

                fn view(&self) -> #krate::RequestView {
                    let mut cx = #p::Collector::new(#p::Side::Request);
                    #p::Extract::extract(self, &mut cx);
                    cx.into_request_view()
                }
            }
        },
        Kind::Response => quote! {
            #[automatically_derived]
            impl #krate::ModelResponse for #ident {
                const HAS_EMBEDDING: bool = <Self as #p::Extract>::HAS_EMBEDDING;
                const HAS_IMAGES: bool = <Self as #p::Extract>::HAS_IMAGES;
                const HAS_RERANK: bool = <Self as #p::Extract>::HAS_RERANK;

                fn from_body(body: &[u8]) -> ::core::result::Result<Self, #krate::BodyError> {
                    #p::decode(body, #krate::BodySide::Response, #name)
                }

                fn to_body(&self) -> ::core::result::Result<::std::vec::Vec<u8>, #krate::BodyError> {
                    #p::encode(self, #krate::BodySide::Response, #name)
                }

                fn view(&self) -> #krate::ResponseView {
                    let mut cx = #p::Collector::new(#p::Side::Response);
                    if <Self as #p::Extract>::HAS_IMAGES {
                        cx.expect_images();
                    }
                    #p::Extract::extract(self, &mut cx);
                    cx.into_response_view()
                }
            }
        },
        Kind::Part | Kind::Model => TokenStream::new(),
    };
    quote!(#extract #trait_impl)
}

/// `HAS_MESSAGES` / `HAS_EMBEDDING` / `HAS_IMAGES`: set by a direct role, or inherited from nested parts.
fn const_flag(container: &Container, name: &str, direct: impl Fn(&Sink) -> bool) -> TokenStream {
    let krate = &container.krate;
    let flag = format_ident!("{name}");
    let mut terms = vec![quote!(false)];
    for field in container.all_fields() {
        for role_use in &field.attrs.roles {
            if direct(&role_use.role.sink) {
                terms.push(quote!(true));
            } else if matches!(role_use.role.sink, Sink::Nested | Sink::Message) {
                let ty = &field.ty;
                terms.push(quote_spanned!(ty.span()=> <#ty as #krate::__private::Extract>::#flag));
            }
        }
    }
    quote!(#(#terms)||*)
}

fn variant_arm(container: &Container, variant: &Variant) -> TokenStream {
    let ident = &variant.ident;
    let bindings = variant.fields.iter().map(|f| &f.binding);
    let pattern = match variant.style {
        Style::Named => quote!(Self::#ident { #(#bindings,)* }),
        Style::Tuple => quote!(Self::#ident ( #(#bindings,)* )),
        Style::Unit => quote!(Self::#ident),
    };
    let statements = variant.fields.iter().map(|field| {
        let binding = &field.binding;
        field_statements(container, field, &quote!(#binding))
    });
    let body = quote!(#(#statements)*);
    let krate = &container.krate;
    match &variant.attrs.block {
        Some(tag) => quote! {
            #pattern => __cx.block(#tag, |__cx: &mut #krate::__private::Collector| { #body }),
        },
        None => quote!(#pattern => { #body }),
    }
}

/// One call per role on `field`, spanned at the field's type so a type that cannot carry the
/// role is reported there.
fn field_statements(container: &Container, field: &Field, value: &TokenStream) -> TokenStream {
    let krate = &container.krate;
    let p = quote!(#krate::__private);
    let ty = &field.ty;
    let span: Span = ty.span();
    let calls = field.attrs.roles.iter().map(|role_use| {
        let variant = |name: &str| syn::Ident::new(name, span);
        match role_use.role.sink {
            Sink::Prompt => quote_spanned!(span=> #p::prompt::<#ty>(#value, __cx);),
            Sink::System => quote_spanned!(span=> #p::system::<#ty>(#value, __cx);),
            Sink::Text => quote_spanned!(span=> #p::text::<#ty>(#value, __cx);),
            Sink::Json => quote_spanned!(span=> #p::json::<#ty>(#value, __cx);),
            Sink::Structure(which) => {
                let which = variant(which);
                quote_spanned!(span=> #p::structure::<#ty>(#value, #p::Structure::#which, __cx);)
            }
            Sink::Nested => quote_spanned!(span=> #p::nested::<#ty>(#value, __cx);),
            Sink::Message => quote_spanned!(span=> #p::message::<#ty>(#value, __cx);),
            Sink::EachMessage => quote_spanned!(span=> #p::each_message::<#ty>(#value, __cx);),
            Sink::EmbeddingInputs => {
                quote_spanned!(span=> #p::embedding_inputs::<#ty>(#value, __cx);)
            }
            Sink::StopSequences => quote_spanned!(span=> #p::stop_sequences::<#ty>(#value, __cx);),
            Sink::Embedding => quote_spanned!(span=> #p::embedding::<#ty>(#value, __cx);),
            Sink::Images => quote_spanned!(span=> #p::images::<#ty>(#value, __cx);),
            Sink::ImageFinishReasons => {
                quote_spanned!(span=> #p::image_finish_reasons::<#ty>(#value, __cx);)
            }
            Sink::NegativePrompt => {
                quote_spanned!(span=> #p::negative_prompt::<#ty>(#value, __cx);)
            }
            Sink::RerankDocuments => {
                quote_spanned!(span=> #p::rerank_documents::<#ty>(#value, __cx);)
            }
            Sink::RerankResults => {
                quote_spanned!(span=> #p::rerank_results::<#ty>(#value, __cx);)
            }
            Sink::Scalar(which) => {
                let which = variant(which);
                quote_spanned!(span=> #p::scalar::<#ty>(#value, #p::Scalar::#which, __cx);)
            }
            Sink::IntParam(which) => {
                let which = variant(which);
                quote_spanned!(span=> #p::int_param::<#ty>(#value, #p::IntParam::#which, __cx);)
            }
            Sink::FloatParam(which) => {
                let which = variant(which);
                quote_spanned!(span=> #p::float_param::<#ty>(#value, #p::FloatParam::#which, __cx);)
            }
            Sink::Index(which) => {
                let which = variant(which);
                quote_spanned!(span=> #p::index::<#ty>(#value, #p::Index::#which, __cx);)
            }
            Sink::Tokens(which) => {
                let which = variant(which);
                if field.attrs.len.is_some() {
                    quote_spanned!(span=> #p::tokens_len::<#ty>(#value, #p::Tokens::#which, __cx);)
                } else {
                    quote_spanned!(span=> #p::tokens::<#ty>(#value, #p::Tokens::#which, __cx);)
                }
            }
        }
    });
    quote!(#(#calls)*)
}

fn model_impl(container: &Container, args: &Args) -> TokenStream {
    let krate = &container.krate;
    let ident = &container.ident;
    let (Some(request), Some(response), Some(ids)) = (&args.request, &args.response, &args.ids)
    else {
        return TokenStream::new();
    };
    let family = match &args.family {
        Some(lit) => quote!(#lit),
        None => {
            let name = ident.to_string();
            quote!(#name)
        }
    };
    let ids = &ids.value;
    let kind = match args.exchange.as_ref().map(|lit| lit.value()) {
        Some(k) if k == symbol::CHAT => quote!(#krate::ExchangeKind::Chat),
        Some(k) if k == symbol::TEXT_COMPLETION => quote!(#krate::ExchangeKind::TextCompletion),
        Some(k) if k == symbol::IMAGE_GENERATION => {
            quote!(#krate::ExchangeKind::ImageGeneration)
        }
        Some(k) if k == symbol::RERANK => quote!(#krate::ExchangeKind::Rerank),
        Some(k) if k == symbol::VIDEO_GENERATION => {
            quote!(#krate::ExchangeKind::VideoGeneration)
        }
        // Parsing let only the six through.
        Some(_) => quote!(#krate::ExchangeKind::Embedding),
        None => quote!(#krate::__private::infer_kind::<Self>()),
    };
    let chunk = args.chunk.as_ref().map(|chunk| {
        let name = quote!(#chunk).to_string().replace(' ', "");
        let decode = quote_spanned!(chunk.span()=> #krate::__private::decode_chunk::<#chunk>(chunk, #name));
        quote! {
            fn chunk_delta(chunk: &[u8]) -> ::core::option::Option<::core::result::Result<#krate::ChunkDelta, #krate::BodyError>> {
                ::core::option::Option::Some(#decode.map_err(|e| e.with_family(<Self as #krate::BedrockModel>::FAMILY)))
            }
        }
    });
    let accepts = args.request_has.as_ref().map(|key| {
        quote! {
            fn accepts_request(request_body: &[u8]) -> bool {
                #krate::__private::has_top_level_key(request_body, #key)
            }
        }
    });
    let inline_reasoning = args
        .inline_reasoning
        .as_ref()
        .map(|flag| quote!(const INLINE_REASONING: bool = #flag;));
    let request_assoc = quote_spanned!(request.span()=> type Request = #request;);
    let response_assoc = quote_spanned!(response.span()=> type Response = #response;);
    quote! {
        #[automatically_derived]
        impl #krate::BedrockModel for #ident {
            #request_assoc
            #response_assoc
            const FAMILY: &'static str = #family;
            const ID_PATTERNS: &'static [&'static str] = &[#(#ids),*];
            const KIND: #krate::ExchangeKind = #kind;
            #inline_reasoning
            #accepts
            #chunk
        }
    }
}
