//! The model of an annotated item: its kind, fields and variants with their parsed roles.
//! Built once from the `syn` input (stripping the `#[llm]` attributes as it goes) and then
//! only read by the checks and the code generators.

use syn::spanned::Spanned as _;

use crate::attr::{self, FieldAttrs, Kind, VariantAttrs};
use crate::ctxt::Ctxt;

/// One field: how to reach it, its type, and its roles.
pub(crate) struct Field {
    /// `self.name` / `self.0` in a struct.
    pub(crate) member: syn::Member,
    /// The binding used in an enum match arm.
    pub(crate) binding: syn::Ident,
    pub(crate) ty: syn::Type,
    pub(crate) attrs: FieldAttrs,
}

/// One enum variant.
pub(crate) struct Variant {
    pub(crate) ident: syn::Ident,
    pub(crate) style: Style,
    pub(crate) fields: Vec<Field>,
    pub(crate) attrs: VariantAttrs,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Named,
    Tuple,
    Unit,
}

pub(crate) enum Data {
    Struct(Style, Vec<Field>),
    Enum(Vec<Variant>),
}

/// The whole annotated item.
pub(crate) struct Container {
    /// A struct part rendered as a block placeholder.
    pub(crate) block: Option<syn::LitStr>,
    pub(crate) ident: syn::Ident,
    pub(crate) kind: Option<Kind>,
    pub(crate) data: Data,
    pub(crate) krate: syn::Path,
    pub(crate) generics: syn::Generics,
}

impl Container {
    /// Reads `input`, removing its `#[llm]` attributes; problems go to `cx`.
    pub(crate) fn from_input(
        cx: &Ctxt,
        input: &mut syn::DeriveInput,
        kind: Option<Kind>,
        krate: syn::Path,
    ) -> Self {
        // Only a struct `part` may be a block placeholder itself (`#[llm(block = "tool_use")]`).
        let item_llm = attr::take_llm_attrs(&mut input.attrs);
        let block_allowed = kind == Some(Kind::Part) && matches!(input.data, syn::Data::Struct(_));
        let block = if block_allowed {
            attr::variant_attrs(cx, &item_llm).block
        } else {
            for stray in item_llm {
                cx.error_spanned_by(
                    stray,
                    "`#[llm(...)]` goes on fields and enum variants; on an item, only a struct `part` takes `#[llm(block = \"tag\")]`",
                );
            }
            None
        };
        let data = match &mut input.data {
            syn::Data::Struct(data) => {
                let style = style_of(&data.fields);
                Data::Struct(style, fields(cx, &mut data.fields))
            }
            syn::Data::Enum(data) => Data::Enum(
                data.variants
                    .iter_mut()
                    .map(|variant| {
                        let attrs =
                            attr::variant_attrs(cx, &attr::take_llm_attrs(&mut variant.attrs));
                        Variant {
                            ident: variant.ident.clone(),
                            style: style_of(&variant.fields),
                            fields: fields(cx, &mut variant.fields),
                            attrs,
                        }
                    })
                    .collect(),
            ),
            syn::Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`#[bedrock_model]` supports structs and enums, not unions",
                );
                for field in data.fields.named.iter_mut() {
                    attr::take_llm_attrs(&mut field.attrs);
                }
                Data::Struct(Style::Unit, Vec::new())
            }
        };
        Self {
            block,
            ident: input.ident.clone(),
            kind,
            data,
            krate,
            generics: input.generics.clone(),
        }
    }

    /// Every field, of the struct or of all variants.
    pub(crate) fn all_fields(&self) -> Box<dyn Iterator<Item = &Field> + '_> {
        match &self.data {
            Data::Struct(_, fields) => Box::new(fields.iter()),
            Data::Enum(variants) => Box::new(variants.iter().flat_map(|v| v.fields.iter())),
        }
    }
}

fn style_of(fields: &syn::Fields) -> Style {
    match fields {
        syn::Fields::Named(_) => Style::Named,
        syn::Fields::Unnamed(_) => Style::Tuple,
        syn::Fields::Unit => Style::Unit,
    }
}

fn fields(cx: &Ctxt, fields: &mut syn::Fields) -> Vec<Field> {
    fields
        .iter_mut()
        .enumerate()
        .map(|(index, field)| {
            let attrs = attr::field_attrs(cx, &attr::take_llm_attrs(&mut field.attrs));
            let (member, binding) = match &field.ident {
                Some(ident) => (syn::Member::Named(ident.clone()), ident.clone()),
                None => (
                    syn::Member::Unnamed(syn::Index {
                        index: index as u32,
                        span: field.ty.span(),
                    }),
                    syn::Ident::new(&format!("__field{index}"), field.ty.span()),
                ),
            };
            Field {
                member,
                binding,
                ty: field.ty.clone(),
                attrs,
            }
        })
        .collect()
}
