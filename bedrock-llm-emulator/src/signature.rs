//! The SigV4 check: the structure of the `Authorization` header Bedrock Runtime requires.

use crate::RecordedRequest;

/// The structure of a SigV4 `Authorization` header for Bedrock Runtime.
pub(crate) fn check_signature(request: &RecordedRequest) -> Result<(), String> {
    let authorization = request
        .header("authorization")
        .ok_or("Missing Authentication Token")?;
    let rest = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("The request signature algorithm must be AWS4-HMAC-SHA256.")?;
    let field = |name: &str| {
        rest.split(", ")
            .find_map(|part| part.strip_prefix(name))
            .map(str::trim)
    };
    let credential =
        field("Credential=").ok_or("Authorization header requires 'Credential' parameter.")?;
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[3] != "bedrock" || scope[4] != "aws4_request" {
        return Err(format!(
            "Credential should be scoped to a valid Region and the bedrock service: {credential}"
        ));
    }
    let signed = field("SignedHeaders=")
        .ok_or("Authorization header requires 'SignedHeaders' parameter.")?;
    if !signed.split(';').any(|h| h == "host") || !signed.split(';').any(|h| h == "x-amz-date") {
        return Err("SignedHeaders must include host and x-amz-date.".to_owned());
    }
    let signature =
        field("Signature=").ok_or("Authorization header requires 'Signature' parameter.")?;
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("The request signature is malformed.".to_owned());
    }
    if request.header("x-amz-date").is_none() {
        return Err("Missing x-amz-date header.".to_owned());
    }
    Ok(())
}
