//! A run's configuration fingerprint: a SHA-256 of the setting's fields that change what
//! a run computes. A result file records it, and resume skips a run only when the recorded
//! fingerprint equals the one asked for; otherwise the changed fields are named.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Fields that name, group, count or place runs without changing what one run computes:
/// a new label, more restarts, another device flag or thread count keep finished runs valid.
pub const NOT_FINGERPRINTED: [&str; 12] = [
    "name",
    "label",
    "group",
    "baseline",
    "description",
    "restarts",
    "seeds",
    "settings",
    "grid",
    "threads",
    "device",
    "save_model",
];

/// The recorded configuration (a setting serialised as JSON) without the fields above.
fn relevant(config: &Value) -> Value {
    let mut v = config.clone();
    if let Some(m) = v.as_object_mut() {
        for k in NOT_FINGERPRINTED {
            m.remove(k);
        }
    }
    v
}

/// JSON text with object keys sorted at every depth, so the hash does not depend on the
/// order serde happens to keep.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", Value::from(k.as_str()), canonical(&m[*k]))).collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The fingerprint of a recorded configuration: `sha256:<hex>`.
pub fn fingerprint(config: &Value) -> String {
    let digest = Sha256::digest(canonical(&relevant(config)).as_bytes());
    format!("sha256:{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The dotted fields whose values differ between two recorded configurations, with the
/// old and new values, e.g. `lr: 2e-5 -> 0.0005`.
pub fn changed_fields(old: &Value, new: &Value) -> Vec<String> {
    let mut out = vec![];
    diff("", &relevant(old), &relevant(new), &mut out);
    out
}

fn diff(at: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let name = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                diff(&name, a.get(k).unwrap_or(&Value::Null), b.get(k).unwrap_or(&Value::Null), out);
            }
        }
        (a, b) if a != b => out.push(format!("{at}: {a} -> {b}")),
        _ => {}
    }
}

impl crate::Setting {
    /// This setting as recorded in a result file (`config`).
    pub fn recorded(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The fingerprint of this setting (see [`fingerprint`]).
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.recorded())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_counts_do_not_change_the_fingerprint_but_knobs_do() {
        let a = json!({"lr": 2e-5, "epochs": 1, "label": "x", "restarts": 5, "mixout": {"p": 0.9, "layers": "paper"}});
        let renamed =
            json!({"mixout": {"layers": "paper", "p": 0.9}, "epochs": 1, "lr": 2e-5, "label": "y", "restarts": 20});
        assert_eq!(fingerprint(&a), fingerprint(&renamed), "key order, label and restarts are not part of it");
        assert!(fingerprint(&a).starts_with("sha256:") && fingerprint(&a).len() == 7 + 64);
        let changed = json!({"lr": 5e-4, "epochs": 2, "label": "x", "mixout": {"p": 0.9, "layers": "paper"}});
        assert_ne!(fingerprint(&a), fingerprint(&changed));
        assert_eq!(changed_fields(&a, &changed), ["epochs: 1 -> 2", "lr: 0.00002 -> 0.0005"]);
        let deeper = json!({"lr": 2e-5, "epochs": 1, "mixout": {"p": 0.7, "layers": "paper"}});
        assert_eq!(changed_fields(&a, &deeper), ["mixout.p: 0.9 -> 0.7"]);
    }
}
