//! Where a setting asks to run: `auto | cpu | cuda | cuda:N`. Only the request lives here;
//! resolving it against the CUDA devices libtorch sees is the device layer's job.

use crate::error::SpecError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The device an experiment asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceSpec {
    /// CUDA when libtorch sees a device (parallel runs spread over all of them), else the CPU.
    #[default]
    Auto,
    /// The CPU.
    Cpu,
    /// CUDA, any device: one run takes `cuda:0`; parallel runs spread over every GPU.
    AnyCuda,
    /// This CUDA device and no other: parallel runs are pinned to it.
    Cuda(usize),
}

impl DeviceSpec {
    /// Whether parallel runs may be spread over every visible GPU (`auto`, `cuda`), rather
    /// than pinned to the one named (`cuda:N`).
    pub fn may_spread(self) -> bool {
        matches!(self, DeviceSpec::Auto | DeviceSpec::AnyCuda)
    }
}

impl FromStr for DeviceSpec {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        match s.trim() {
            "auto" => Ok(DeviceSpec::Auto),
            "cpu" => Ok(DeviceSpec::Cpu),
            "cuda" | "gpu" => Ok(DeviceSpec::AnyCuda),
            other => other.strip_prefix("cuda:").and_then(|n| n.parse().ok()).map(DeviceSpec::Cuda).ok_or_else(|| {
                SpecError::Invalid(format!(
                    "device `{other}`: expected `auto`, `cpu`, `cuda` or `cuda:N` (N a device index)"
                ))
            }),
        }
    }
}

impl fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceSpec::Auto => write!(f, "auto"),
            DeviceSpec::Cpu => write!(f, "cpu"),
            DeviceSpec::AnyCuda => write!(f, "cuda"),
            DeviceSpec::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

impl Serialize for DeviceSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for DeviceSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuda_and_cuda0_differ_and_round_trip() {
        let any: DeviceSpec = "cuda".parse().unwrap();
        let zero: DeviceSpec = "cuda:0".parse().unwrap();
        assert_ne!(any, zero, "`cuda` may spread over GPUs, `cuda:0` pins");
        assert!(any.may_spread() && !zero.may_spread());
        assert!(DeviceSpec::Auto.may_spread() && !DeviceSpec::Cpu.may_spread());
        for s in ["auto", "cpu", "cuda", "cuda:0", "cuda:3"] {
            assert_eq!(s.parse::<DeviceSpec>().unwrap().to_string(), s);
        }
        assert!("tpu".parse::<DeviceSpec>().unwrap_err().to_string().contains("cuda:N"));
    }
}
