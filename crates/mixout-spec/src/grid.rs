//! `grid:` expansion and the YAML plumbing of settings: validated axes, their cross
//! product, labels of grid values, dotted-key access and the deep merge of a setting over
//! the base.

use crate::error::{Result, SpecError as Error};
use crate::setting::Setting;
use serde_yaml::Value;
use std::path::Path;

/// Deep-merges `over` onto `base`: mappings merge key by key, anything else replaces.
pub(crate) fn merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                let merged = match out.get(k) {
                    Some(bv) => merge(bv, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Mapping(out)
        }
        _ => over.clone(),
    }
}

/// Keys that make no sense in a grid: they name or structure settings.
const NOT_IN_GRID: [&str; 6] = ["name", "settings", "grid", "label", "group", "baseline"];

/// Validates a `grid:` block into (dotted key, values) axes, in file order.
pub(crate) fn grid_axes(path: &Path, grid: Option<&Value>) -> Result<Vec<(String, Vec<Value>)>> {
    let Some(grid) = grid else { return Ok(vec![]) };
    let map =
        match grid {
            Value::Mapping(m) => m,
            Value::Null => return Ok(vec![]),
            _ => return Err(Error::config(
                path,
                "grid: expected a mapping of keys to lists, e.g. `grid: {mixout.p: [0.7, 0.9], lr: [2.0e-5, 1.0e-4]}`",
            )),
        };
    let known = serde_yaml::to_value(Setting::default()).unwrap_or(Value::Null);
    let mut axes = vec![];
    for (k, v) in map {
        let key =
            k.as_str().ok_or_else(|| Error::config(path, format!("grid: key {k:?} is not a string")))?.to_string();
        let root = key.split('.').next().unwrap_or_default();
        if NOT_IN_GRID.contains(&root) {
            return Err(Error::config(
                path,
                format!("grid: `{key}` cannot vary in a grid (labels, groups and baselines are made from the grid)"),
            ));
        }
        if get_path(&known, &key).is_none() {
            let fields: Vec<String> = known
                .as_mapping()
                .map(|m| {
                    m.keys()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .filter(|k| !NOT_IN_GRID.contains(&k.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            return Err(Error::config(
                path,
                format!("grid: unknown key `{key}`: expected a setting field such as `lr`, `mixout.p` or `weight_decay.lambda` (fields: {})", fields.join(", ")),
            ));
        }
        match v {
            Value::Sequence(vals) if !vals.is_empty() => axes.push((key, vals.clone())),
            _ => {
                return Err(Error::config(
                    path,
                    format!("grid: `{key}`: expected a non-empty list of values, e.g. `{key}: [a, b]`"),
                ))
            }
        }
    }
    Ok(axes)
}

/// The cross product of the axes (one empty point when there is no grid), first axis slowest.
pub(crate) fn grid_points(axes: &[(String, Vec<Value>)]) -> Vec<Vec<(String, Value)>> {
    let mut points: Vec<Vec<(String, Value)>> = vec![vec![]];
    for (key, values) in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push((key.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }
    points
}

/// A grid value as it appears in a label: `0.9`, `2e-5`, `true`, `none`, `{mixout: 0.7}`.
pub(crate) fn show_value(v: &Value) -> String {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f != 0.0 && f.abs() < 1e-3 => format!("{f:e}"),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => serde_yaml::to_string(other).map(|s| s.trim().replace('\n', " ")).unwrap_or_default(),
    }
}

pub(crate) fn get_path<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |cur, part| cur.as_mapping()?.get(part))
}

/// Sets a dotted key in a YAML mapping, creating mappings on the way.
pub(crate) fn set_path(v: &mut Value, dotted: &str, value: Value) {
    let mut cur = v;
    let parts: Vec<&str> = dotted.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_mapping() {
            *cur = Value::Mapping(Default::default());
        }
        let Some(m) = cur.as_mapping_mut() else { return };
        let key = Value::from(*part);
        if i + 1 == parts.len() {
            m.insert(key, value);
            return;
        }
        cur = m.entry(key).or_insert(Value::Mapping(Default::default()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_replaces_scalars_and_merges_maps() {
        let a: Value = serde_yaml::from_str("x: 1\nm: {a: 1, b: 2}").unwrap();
        let b: Value = serde_yaml::from_str("m: {b: 3}").unwrap();
        let m = merge(&a, &b);
        assert_eq!(m["m"]["a"], Value::from(1));
        assert_eq!(m["m"]["b"], Value::from(3));
        assert_eq!(m["x"], Value::from(1));
    }
}
