//! AWS SDK failures as sentences a user can act on — what came back or why nothing did, and
//! what to check — instead of the SDK's nested `Debug` (`DispatchFailure(DispatchFailure {…`).

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// `error` as one sentence: the service's status, code and message with a hint for the usual
/// causes, or the deepest cause of a request that got no answer.
pub fn explain<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            let code = err.code().unwrap_or("no error code");
            let message = err.message().map(|m| format!(": {m}")).unwrap_or_default();
            match hint(code) {
                Some(hint) => format!("{code}{message}; {hint}"),
                None => format!("{code}{message}"),
            }
        }
        SdkError::DispatchFailure(failure) if failure.is_io() => format!(
            "could not connect ({}); check the endpoint (AWS_ENDPOINT_URL, AWS_REGION) and the network",
            deepest(error)
        ),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => format!(
            "the connection timed out ({}); check the endpoint and the network",
            deepest(error)
        ),
        SdkError::DispatchFailure(_) => format!("the request was not sent: {}", deepest(error)),
        SdkError::TimeoutError(_) => {
            "no answer in time; check the endpoint and the network, then retry".to_owned()
        }
        SdkError::ResponseError(_) => format!("the answer was unreadable: {}", deepest(error)),
        SdkError::ConstructionFailure(_) => {
            format!("the request could not be made: {}", deepest(error))
        }
        _ => deepest(error),
    }
}

/// What usually causes `code`, and what to check.
fn hint(code: &str) -> Option<&'static str> {
    Some(match code {
        "NoSuchBucket" => "check the bucket's name and that it is in this account",
        "NoSuchKey" => "the object is gone or the key is misspelt",
        "AccessDenied" | "AccessDeniedException" | "Forbidden" => {
            "these credentials are not allowed this; check the IAM policy (s3:ListBucket, s3:GetObject, sqs:ReceiveMessage, …) and any bucket or queue policy"
        }
        "InvalidAccessKeyId"
        | "SignatureDoesNotMatch"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId" => {
            "the credentials are not valid; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
        }
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            "the session has expired; sign in again (aws sso login) or refresh the credentials"
        }
        "PermanentRedirect"
        | "AuthorizationHeaderMalformed"
        | "IllegalLocationConstraintException" => {
            "the bucket is in another Region; set AWS_REGION to the bucket's"
        }
        "AWS.SimpleQueueService.NonExistentQueue" | "QueueDoesNotExist" => {
            "check the queue URL, and that its Region is AWS_REGION"
        }
        "SlowDown"
        | "ThrottlingException"
        | "RequestThrottled"
        | "ServiceUnavailable"
        | "InternalError" => "the service is busy or failing; retry later",
        _ => return None,
    })
}

/// The innermost cause's message: the one that says what actually happened.
fn deepest(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
