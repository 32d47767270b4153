//! ModernBERT's config.json, read the way transformers 5.24's `ModernBertConfig` reads it:
//! the v5 keys (`layer_types`, `rope_parameters` per layer type) win, the legacy ones
//! (`global_attn_every_n_layers`, `global_rope_theta`, `local_rope_theta`, `rope_scaling`)
//! fill what they leave out, then transformers' defaults. `save_pretrained` in 5.24 writes
//! both `layer_types` and `global_attn_every_n_layers`, and `rope_parameters` with
//! `rope_type: default` and `rope_theta` for `full_attention` and `sliding_attention`.
//! Every value the encoder cannot honour is an error naming config.json and the field.

use crate::error::{Error, Result};
use rust_bert::Activation;
use serde_json::Value;
use std::path::Path;

/// Rotary base of global (full-attention) layers when config.json names none.
pub const DEFAULT_GLOBAL_THETA: f64 = 160_000.0;
/// Rotary base of local (sliding-window) layers when config.json names none.
pub const DEFAULT_LOCAL_THETA: f64 = 10_000.0;

/// How the classifier pools the final hidden states (`classifier_pooling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// The first token (`[CLS]`).
    Cls,
    /// The mean over real tokens (padding excluded).
    Mean,
}

/// The attention of one layer (`layer_types` entry).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerKind {
    /// `Some(w)`: sliding window, keys within ±w positions (`local_attention / 2`); None: global.
    pub window: Option<i64>,
    /// Rotary base θ of this layer's type.
    pub theta: f64,
}

/// The fields of a ModernBERT config.json the encoder and its head use.
#[derive(Debug, Clone)]
pub struct ModernBertConfig {
    /// Vocabulary size.
    pub vocab_size: i64,
    /// Hidden size.
    pub hidden_size: i64,
    /// GeGLU width (`mlp.Wi` is twice this).
    pub intermediate_size: i64,
    /// Number of encoder layers.
    pub num_hidden_layers: i64,
    /// Attention heads.
    pub num_attention_heads: i64,
    /// The GLU's activation (`hidden_activation`).
    pub hidden_activation: Activation,
    /// The head's activation (`classifier_activation`).
    pub classifier_activation: Activation,
    /// LayerNorm epsilon (`norm_eps`).
    pub norm_eps: f64,
    /// LayerNorms carry a bias (`norm_bias`).
    pub norm_bias: bool,
    /// `attn.Wqkv` and `attn.Wo` carry biases (`attention_bias`).
    pub attention_bias: bool,
    /// `mlp.Wi` and `mlp.Wo` carry biases (`mlp_bias`).
    pub mlp_bias: bool,
    /// `head.dense` carries a bias (`classifier_bias`).
    pub classifier_bias: bool,
    /// `classifier_pooling`.
    pub pooling: Pooling,
    /// Padding token (the embedding row that gets no gradient), if within the vocabulary.
    pub pad_token_id: Option<i64>,
    /// N(0, range²) for new layers.
    pub initializer_range: f64,
    /// Per layer: global or sliding window, and its rotary base.
    pub layers: Vec<LayerKind>,
}

/// Reads a ModernBERT config.json (`json`, read from `path`).
pub fn parse(json: &Value, path: &Path) -> Result<ModernBertConfig> {
    let f = Fields { json, path };
    let num_hidden_layers = f.int("num_hidden_layers", 22)?;
    let hidden_size = f.int("hidden_size", 768)?;
    let num_attention_heads = f.int("num_attention_heads", 12)?;
    if hidden_size % num_attention_heads != 0 || (hidden_size / num_attention_heads) % 2 != 0 {
        return Err(f.bad(
            "num_attention_heads",
            format!("{num_attention_heads} heads must divide hidden_size {hidden_size} into even head sizes (rotary embeddings pair dimensions)"),
        ));
    }
    let pooling = match f.string("classifier_pooling", "cls")?.as_str() {
        "cls" => Pooling::Cls,
        "mean" => Pooling::Mean,
        other => return Err(f.bad("classifier_pooling", format!("is `{other}`; use `cls` or `mean`"))),
    };
    let vocab_size = f.int("vocab_size", 50368)?;
    let pad_token_id = match json.get("pad_token_id") {
        None => Some(50283),
        Some(Value::Null) => None,
        Some(v) => {
            Some(v.as_i64().ok_or_else(|| f.bad("pad_token_id", format!("is {v}, expected an integer or null")))?)
        }
    }
    .filter(|&p| (0..vocab_size).contains(&p));
    Ok(ModernBertConfig {
        vocab_size,
        hidden_size,
        intermediate_size: f.int("intermediate_size", 1152)?,
        num_hidden_layers,
        num_attention_heads,
        hidden_activation: f.activation("hidden_activation")?,
        classifier_activation: f.activation("classifier_activation")?,
        norm_eps: f.float("norm_eps", 1e-5)?,
        norm_bias: f.boolean("norm_bias", false)?,
        attention_bias: f.boolean("attention_bias", false)?,
        mlp_bias: f.boolean("mlp_bias", false)?,
        classifier_bias: f.boolean("classifier_bias", false)?,
        pooling,
        pad_token_id,
        initializer_range: f.float("initializer_range", 0.02)?,
        layers: layer_kinds(&f, num_hidden_layers)?,
    })
}

/// Which layers are global and each type's rotary base.
fn layer_kinds(f: &Fields, n: i64) -> Result<Vec<LayerKind>> {
    let local_attention = f.int("local_attention", 128)?;
    let types: Vec<bool> = match f.json.get("layer_types") {
        None | Some(Value::Null) => {
            let every = f.int("global_attn_every_n_layers", 3)?;
            (0..n).map(|i| i % every == 0).collect()
        }
        Some(Value::Array(items)) => {
            if items.len() as i64 != n {
                return Err(f.bad("layer_types", format!("has {} entries for {n} layers", items.len())));
            }
            items
                .iter()
                .map(|t| match t.as_str() {
                    Some("full_attention") => Ok(true),
                    Some("sliding_attention") => Ok(false),
                    _ => Err(f.bad("layer_types", format!("has {t}; use `full_attention` or `sliding_attention`"))),
                })
                .collect::<Result<_>>()?
        }
        Some(v) => return Err(f.bad("layer_types", format!("is {v}, expected a list"))),
    };
    let global = rope_theta(f, "full_attention", "global_rope_theta", DEFAULT_GLOBAL_THETA)?;
    let local = rope_theta(f, "sliding_attention", "local_rope_theta", DEFAULT_LOCAL_THETA)?;
    Ok(types
        .into_iter()
        .map(|g| {
            if g {
                LayerKind { window: None, theta: global }
            } else {
                LayerKind { window: Some(local_attention / 2), theta: local }
            }
        })
        .collect())
}

/// θ of one layer type: `rope_parameters[type].rope_theta`, updated by a legacy
/// `rope_scaling`, else the legacy key, else the default. Only the plain (`default`) RoPE
/// is implemented; scaled variants are refused by name.
fn rope_theta(f: &Fields, layer_type: &str, legacy: &str, default: f64) -> Result<f64> {
    let field = format!("rope_parameters.{layer_type}");
    let mut params = serde_json::Map::new();
    match f.json.get("rope_parameters") {
        None | Some(Value::Null) => {}
        Some(Value::Object(all)) => match all.get(layer_type) {
            None | Some(Value::Null) => {}
            Some(Value::Object(p)) => params = p.clone(),
            Some(v) => return Err(f.bad(&field, format!("is {v}, expected an object"))),
        },
        Some(v) => return Err(f.bad("rope_parameters", format!("is {v}, expected an object"))),
    }
    match f.json.get("rope_scaling") {
        None | Some(Value::Null) => {}
        Some(Value::Object(s)) => params.extend(s.clone()),
        Some(v) => return Err(f.bad("rope_scaling", format!("is {v}, expected an object or null"))),
    }
    match params.get("rope_type") {
        None => {}
        Some(Value::String(t)) if t == "default" => {}
        Some(v) => {
            return Err(f.bad(&format!("{field}.rope_type"), format!("is {v}; only `default` RoPE is implemented")))
        }
    }
    let theta = match params.get("rope_theta") {
        Some(v) => {
            v.as_f64().ok_or_else(|| f.bad(&format!("{field}.rope_theta"), format!("is {v}, expected a number")))?
        }
        None => f.float(legacy, default)?,
    };
    if theta <= 0.0 || !theta.is_finite() {
        return Err(f.bad(&format!("{field}.rope_theta"), format!("is {theta}, expected a positive number")));
    }
    Ok(theta)
}

/// Typed reads of config.json fields with transformers' defaults.
struct Fields<'a> {
    json: &'a Value,
    path: &'a Path,
}

impl Fields<'_> {
    fn bad(&self, field: &str, message: String) -> Error {
        Error::model(self.path, format!("config.json `{field}` {message}"))
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.json.get(key).filter(|v| !v.is_null())
    }

    fn int(&self, key: &str, default: i64) -> Result<i64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_i64()
                .filter(|&i| i > 0)
                .ok_or_else(|| self.bad(key, format!("is {v}, expected a positive integer"))),
        }
    }

    fn float(&self, key: &str, default: f64) -> Result<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_f64().ok_or_else(|| self.bad(key, format!("is {v}, expected a number"))),
        }
    }

    fn boolean(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| self.bad(key, format!("is {v}, expected true or false"))),
        }
    }

    fn string(&self, key: &str, default: &str) -> Result<String> {
        match self.get(key) {
            None => Ok(default.to_string()),
            Some(v) => {
                v.as_str().map(str::to_string).ok_or_else(|| self.bad(key, format!("is {v}, expected a string")))
            }
        }
    }

    /// An activation by Hugging Face's name (default `gelu`, as transformers').
    fn activation(&self, key: &str) -> Result<Activation> {
        let name = self.string(key, "gelu")?;
        if !crate::arch::ACTIVATIONS.contains(&name.as_str()) {
            return Err(self.bad(key, format!("is `{name}`; use one of {}", crate::arch::ACTIVATIONS.join(", "))));
        }
        serde_json::from_value(Value::String(name.clone())).map_err(|e| self.bad(key, format!("is `{name}`: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> Result<ModernBertConfig> {
        parse(&v, Path::new("m/config.json"))
    }

    #[test]
    fn legacy_keys_give_the_layer_pattern_and_thetas() {
        let c = read(json!({"num_hidden_layers": 4, "global_attn_every_n_layers": 2, "local_attention": 16,
            "global_rope_theta": 1000.0, "local_rope_theta": 50.0, "hidden_size": 64, "num_attention_heads": 4}))
        .unwrap();
        let g = LayerKind { window: None, theta: 1000.0 };
        let l = LayerKind { window: Some(8), theta: 50.0 };
        assert_eq!(c.layers, [g, l, g, l]);
        // Absent: every third layer global, θ 160k / 10k, window ±64.
        let c = read(json!({"num_hidden_layers": 4})).unwrap();
        let g = LayerKind { window: None, theta: DEFAULT_GLOBAL_THETA };
        let l = LayerKind { window: Some(64), theta: DEFAULT_LOCAL_THETA };
        assert_eq!(c.layers, [g, l, l, g]);
        assert_eq!(c.pooling, Pooling::Cls);
        assert_eq!(c.pad_token_id, Some(50283));
        assert_eq!(read(json!({"vocab_size": 100})).unwrap().pad_token_id, None, "outside the vocabulary");
    }

    #[test]
    fn v5_keys_win_over_legacy_ones() {
        let c = read(json!({"num_hidden_layers": 2, "global_attn_every_n_layers": 1, "local_rope_theta": 7.0,
            "layer_types": ["sliding_attention", "full_attention"],
            "rope_parameters": {"full_attention": {"rope_type": "default", "rope_theta": 99.0},
                                "sliding_attention": {"rope_type": "default"}}}))
        .unwrap();
        assert_eq!(c.layers[0], LayerKind { window: Some(64), theta: 7.0 });
        assert_eq!(c.layers[1], LayerKind { window: None, theta: 99.0 });
    }

    #[test]
    fn malformed_values_name_config_json_and_the_field() {
        let cases = [
            (json!({"classifier_pooling": "max"}), "`classifier_pooling`"),
            (json!({"num_hidden_layers": 2, "layer_types": ["full_attention"]}), "`layer_types` has 1 entries"),
            (json!({"num_hidden_layers": 1, "layer_types": ["chunked_attention"]}), "`layer_types` has \"chunked"),
            (
                json!({"rope_parameters": {"full_attention": {"rope_type": "yarn"}}}),
                "rope_parameters.full_attention.rope_type",
            ),
            (json!({"hidden_activation": "gelu_fast"}), "`hidden_activation`"),
            (json!({"norm_bias": "no"}), "`norm_bias`"),
            (json!({"hidden_size": 64, "num_attention_heads": 5}), "`num_attention_heads`"),
            (json!({"global_attn_every_n_layers": 0}), "`global_attn_every_n_layers`"),
        ];
        for (cfg, expect) in cases {
            let err = read(cfg.clone()).unwrap_err().to_string();
            assert!(err.contains("config.json") && err.contains(expect), "{cfg}: {err}");
        }
    }
}
