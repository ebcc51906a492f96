//! S3 object-created notifications as SQS delivers them: plain S3 event notifications, the
//! same wrapped in an SNS envelope, and EventBridge `Object Created` events. Parsing only; the
//! queue is consumed by `bedrock-llm replay --sqs`.

use serde_json::Value;

/// An object a notification names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifiedObject {
    /// The bucket.
    pub bucket: String,
    /// The key, URL-decoded (S3 notifications encode keys as form values).
    pub key: String,
    /// The object's size, when the notification gives it.
    pub size: Option<u64>,
    /// The object's ETag, when the notification gives it.
    pub etag: Option<String>,
}

/// What a message body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// Created objects (one S3 notification can name several).
    Objects(Vec<NotifiedObject>),
    /// S3's `s3:TestEvent`, sent when notifications are configured: nothing to do.
    Test,
    /// Not a notification this reader knows; the reason.
    Unknown(String),
}

/// Reads one SQS message body.
pub fn parse(body: &str) -> Notification {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return Notification::Unknown("the message body is not JSON".to_owned());
    };
    // SNS wraps the S3 notification as a JSON string in `Message`.
    if value.get("Type").and_then(Value::as_str) == Some("Notification")
        && let Some(inner) = value.get("Message").and_then(Value::as_str)
    {
        return parse(inner);
    }
    if value.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Notification::Test;
    }
    if let Some(records) = value.get("Records").and_then(Value::as_array) {
        let objects: Vec<NotifiedObject> = records
            .iter()
            .filter(|r| {
                r.get("eventName")
                    .and_then(Value::as_str)
                    .is_some_and(|name| name.starts_with("ObjectCreated:"))
            })
            .filter_map(|r| {
                let s3 = r.get("s3")?;
                Some(NotifiedObject {
                    bucket: s3.pointer("/bucket/name")?.as_str()?.to_owned(),
                    key: form_decode(s3.pointer("/object/key")?.as_str()?),
                    size: s3.pointer("/object/size").and_then(Value::as_u64),
                    etag: s3
                        .pointer("/object/eTag")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                })
            })
            .collect();
        return Notification::Objects(objects);
    }
    // EventBridge: {"source": "aws.s3", "detail-type": "Object Created", "detail": {...}}.
    if value.get("source").and_then(Value::as_str) == Some("aws.s3") {
        if value.get("detail-type").and_then(Value::as_str) != Some("Object Created") {
            return Notification::Objects(Vec::new());
        }
        let object = value.get("detail").and_then(|detail| {
            Some(NotifiedObject {
                bucket: detail.pointer("/bucket/name")?.as_str()?.to_owned(),
                key: detail.pointer("/object/key")?.as_str()?.to_owned(),
                size: detail.pointer("/object/size").and_then(Value::as_u64),
                etag: detail
                    .pointer("/object/etag")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        });
        return match object {
            Some(object) => Notification::Objects(vec![object]),
            None => Notification::Unknown("an EventBridge event without bucket and key".to_owned()),
        };
    }
    Notification::Unknown("neither an S3, SNS nor EventBridge notification".to_owned())
}

/// `application/x-www-form-urlencoded` decoding, as S3 encodes keys in notifications (`+` for
/// a space, `%XX` for other bytes). Hand-written: four lines do not justify a crate here.
fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(text.get(i + 1..i + 3).unwrap_or(""), 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S3: &str = r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2024-04-18T22:55:00.000Z","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"logs"},"object":{"key":"AWSLogs/1/BedrockModelInvocationLogs/us-east-1/2024/04/18/22/a+b%3D.json.gz","size":1234}}}]}"#;

    #[test]
    fn plain_s3_notifications_name_their_objects_with_decoded_keys() {
        assert_eq!(
            parse(S3),
            Notification::Objects(vec![NotifiedObject {
                bucket: "logs".into(),
                key: "AWSLogs/1/BedrockModelInvocationLogs/us-east-1/2024/04/18/22/a b=.json.gz"
                    .into(),
                size: Some(1234),
                etag: None,
            }])
        );
    }

    #[test]
    fn sns_and_eventbridge_wrappings_are_read() {
        let sns = serde_json::json!({"Type": "Notification", "MessageId": "m", "Message": S3})
            .to_string();
        assert!(matches!(parse(&sns), Notification::Objects(o) if o.len() == 1));
        let bridge = r#"{"version":"0","source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"logs"},"object":{"key":"k.json.gz","size":5}}}"#;
        assert_eq!(
            parse(bridge),
            Notification::Objects(vec![NotifiedObject {
                bucket: "logs".into(),
                key: "k.json.gz".into(),
                size: Some(5),
                etag: None,
            }])
        );
    }

    #[test]
    fn test_events_deletes_and_garbage_are_told_apart() {
        assert_eq!(
            parse(r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"logs"}"#),
            Notification::Test
        );
        let removed = S3.replace("ObjectCreated:Put", "ObjectRemoved:Delete");
        assert_eq!(parse(&removed), Notification::Objects(Vec::new()));
        assert!(matches!(parse("{"), Notification::Unknown(_)));
        assert!(matches!(parse("{}"), Notification::Unknown(_)));
        assert_eq!(form_decode("100%"), "100%");
        assert_eq!(form_decode("%zz%41"), "%zzA");
    }
}
