//! Choosing where tensors live: `auto | cpu | cuda[:N]`, and how many threads libtorch uses.

use crate::error::{Error, Result};

pub use mixout_spec::DeviceSpec;

/// Resolves a device request to a tch device, checking that a requested CUDA device exists.
pub fn resolve(spec: DeviceSpec) -> Result<tch::Device> {
    match spec {
        DeviceSpec::Cpu => Ok(tch::Device::Cpu),
        DeviceSpec::Auto => Ok(tch::Device::cuda_if_available()),
        DeviceSpec::AnyCuda => resolve(DeviceSpec::Cuda(0)),
        DeviceSpec::Cuda(n) => {
            let count = tch::Cuda::device_count() as usize;
            if n < count {
                Ok(tch::Device::Cuda(n))
            } else {
                Err(Error::Invalid(format!(
                    "device cuda:{n} requested but libtorch sees {count} CUDA device(s); \
                         use `device: cpu` or `auto` (is the CUDA build of torch installed? see README, GPU users)"
                )))
            }
        }
    }
}

/// Human name of a resolved device, as recorded in result files (`cpu`, `cuda:0`).
pub fn device_name(device: tch::Device) -> String {
    match device {
        tch::Device::Cuda(n) => format!("cuda:{n}"),
        tch::Device::Mps => "mps".into(),
        tch::Device::Vulkan => "vulkan".into(),
        tch::Device::Cpu => "cpu".into(),
    }
}

/// Number of CPU cores available to this process.
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// One line saying where a run executes, printed before training.
pub fn describe(device: tch::Device) -> String {
    match device {
        tch::Device::Cuda(n) => format!(
            "device cuda:{n} ({} CUDA device(s) visible), {} CPU threads for host work",
            tch::Cuda::device_count(),
            tch::get_num_threads()
        ),
        _ => format!("device cpu, {} libtorch threads", tch::get_num_threads()),
    }
}

extern "C" {
    fn mixout_set_allow_tf32(allow: std::os::raw::c_int);
    fn mixout_allow_tf32() -> std::os::raw::c_int;
    fn mixout_allow_tf32_cudnn() -> std::os::raw::c_int;
    fn mixout_float32_matmul_precision() -> *const std::os::raw::c_char;
    fn mixout_fp32_precision(backend: std::os::raw::c_int, op: std::os::raw::c_int) -> *const std::os::raw::c_char;
    fn mixout_set_sdp_cudnn(enable: std::os::raw::c_int);
    fn mixout_sdp_cudnn() -> std::os::raw::c_int;
}

/// Allows (or forbids) cuDNN's kernel in `scaled_dot_product_attention`, process-wide, as
/// `torch.backends.cuda.enable_cudnn_sdp` does.
pub fn set_cudnn_attention(enable: bool) {
    // SAFETY: a plain setter on libtorch's global context.
    unsafe { mixout_set_sdp_cudnn(enable as std::os::raw::c_int) }
}

/// Whether `scaled_dot_product_attention` may use cuDNN's kernel.
pub fn cudnn_attention() -> bool {
    // SAFETY: a plain getter on libtorch's global context.
    unsafe { mixout_sdp_cudnn() != 0 }
}

/// Allows (or forbids) TF32 tensor-core math for fp32 matmuls and convolutions on CUDA,
/// process-wide, as `torch.backends.cuda.matmul.allow_tf32` does. No effect on CPU.
pub fn set_allow_tf32(allow: bool) {
    // SAFETY: plain setters on libtorch's global context, which exists once libtorch is loaded.
    unsafe { mixout_set_allow_tf32(allow as std::os::raw::c_int) }
}

/// Whether TF32 matmuls are currently allowed.
pub fn allow_tf32() -> bool {
    // SAFETY: a plain getter on libtorch's global context.
    unsafe { mixout_allow_tf32() != 0 }
}

/// libtorch's fp32 math settings as its global context reports them, each read through a
/// getter other than the one [`allow_tf32`] uses (csrc/tf32.cpp). Values are spelled as
/// PyTorch spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fp32Settings {
    /// `torch.backends.cudnn.allow_tf32`.
    pub cudnn_tf32: bool,
    /// `torch.get_float32_matmul_precision()`: `highest`, `high` (TF32) or `medium`.
    pub matmul_precision: &'static str,
    /// `torch.backends.cuda.matmul.fp32_precision`: `none`, `ieee`, `tf32` or `bf16`.
    pub cuda_matmul: &'static str,
    /// `torch.backends.cudnn.conv.fp32_precision`.
    pub cuda_conv: &'static str,
    /// `torch.backends.mkldnn.matmul.fp32_precision`: the CPU's, which the TF32 switch leaves alone.
    pub cpu_matmul: &'static str,
}

/// Reads [`Fp32Settings`] from libtorch.
pub fn fp32_settings() -> Fp32Settings {
    fn text(p: *const std::os::raw::c_char) -> &'static str {
        // SAFETY: the shim returns pointers to static, NUL-terminated ASCII literals.
        unsafe { std::ffi::CStr::from_ptr(p) }.to_str().unwrap_or("unknown")
    }
    // SAFETY: plain getters on libtorch's global context; backend 0/1 = cuda/mkldnn, op 0/1 = matmul/conv.
    unsafe {
        Fp32Settings {
            cudnn_tf32: mixout_allow_tf32_cudnn() != 0,
            matmul_precision: text(mixout_float32_matmul_precision()),
            cuda_matmul: text(mixout_fp32_precision(0, 0)),
            cuda_conv: text(mixout_fp32_precision(0, 1)),
            cpu_matmul: text(mixout_fp32_precision(1, 0)),
        }
    }
}

/// One NVIDIA GPU as the driver (NVML) reports it; no CUDA context is created to ask.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuInfo {
    /// NVML index (PCI bus order, the order CUDA uses with `CUDA_DEVICE_ORDER=PCI_BUS_ID`).
    pub index: u32,
    /// Marketing name, e.g. `NVIDIA H100 80GB HBM3`.
    pub name: String,
    /// Total memory in bytes.
    pub total_bytes: u64,
    /// Memory not allocated by any process, in bytes.
    pub free_bytes: u64,
    /// Compute capability (major, minor), e.g. (9, 0) for Hopper.
    pub compute_capability: Option<(i32, i32)>,
}

/// What the NVIDIA driver says about the machine.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverInfo {
    /// Driver version, e.g. `580.65.06`.
    pub driver_version: String,
    /// Newest CUDA version the driver supports, e.g. (13, 0).
    pub cuda_version: Option<(i32, i32)>,
    /// The GPUs.
    pub gpus: Vec<GpuInfo>,
}

/// The NVML index of CUDA device `cuda_index`. `main` sets `CUDA_DEVICE_ORDER=PCI_BUS_ID`
/// (unless the user chose an order), so both count in PCI bus order; `CUDA_VISIBLE_DEVICES`
/// given as indices renumbers CUDA's view and is followed here.
pub fn nvml_index(cuda_index: usize) -> usize {
    match std::env::var("CUDA_VISIBLE_DEVICES") {
        Ok(v) if !v.trim().is_empty() => {
            let list: Vec<usize> = v.split(',').filter_map(|s| s.trim().parse().ok()).collect();
            list.get(cuda_index).copied().unwrap_or(cuda_index)
        }
        _ => cuda_index,
    }
}

/// Asks the NVIDIA driver (libnvidia-ml, loaded at run time) about the GPUs. `Err` says why
/// it could not: no driver installed, or NVML failed.
pub fn nvidia_driver() -> std::result::Result<DriverInfo, String> {
    use nvml_wrapper::Nvml;
    let nvml = Nvml::init().map_err(|e| {
        let e = e.to_string();
        if e.contains("cannot open shared object") {
            "libnvidia-ml.so.1, which the NVIDIA driver installs, is not on this machine".to_string()
        } else {
            format!("the NVIDIA driver's management library (libnvidia-ml.so.1) failed: {e}")
        }
    })?;
    let driver_version = nvml.sys_driver_version().map_err(|e| format!("NVML: driver version: {e}"))?;
    let cuda_version = nvml
        .sys_cuda_driver_version()
        .ok()
        .map(|v| (nvml_wrapper::cuda_driver_version_major(v), nvml_wrapper::cuda_driver_version_minor(v)));
    let count = nvml.device_count().map_err(|e| format!("NVML: device count: {e}"))?;
    let mut gpus = vec![];
    for index in 0..count {
        let d = nvml.device_by_index(index).map_err(|e| format!("NVML: device {index}: {e}"))?;
        let mem = d.memory_info().map_err(|e| format!("NVML: memory of device {index}: {e}"))?;
        gpus.push(GpuInfo {
            index,
            name: d.name().unwrap_or_else(|_| "unknown NVIDIA GPU".into()),
            total_bytes: mem.total,
            free_bytes: mem.free,
            compute_capability: d.cuda_compute_capability().ok().map(|c| (c.major, c.minor)),
        });
    }
    Ok(DriverInfo { driver_version, cuda_version, gpus })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_device_names() {
        assert_eq!("auto".parse::<DeviceSpec>().unwrap(), DeviceSpec::Auto);
        assert_eq!("cpu".parse::<DeviceSpec>().unwrap(), DeviceSpec::Cpu);
        assert_eq!("cuda".parse::<DeviceSpec>().unwrap(), DeviceSpec::AnyCuda);
        assert_eq!("cuda:3".parse::<DeviceSpec>().unwrap(), DeviceSpec::Cuda(3));
        let err = "tpu".parse::<DeviceSpec>().unwrap_err().to_string();
        assert!(err.contains("expected `auto`, `cpu`"), "{err}");
    }

    /// The TF32 switch is global to the process and tests run on parallel threads: the tests
    /// here that flip it hold this lock (no other test of this binary touches it).
    fn tf32_lock() -> std::sync::MutexGuard<'static, ()> {
        static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
        LOCK.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[test]
    fn tf32_switch_sets_what_libtorch_reads() {
        let _lock = tf32_lock();
        let before = allow_tf32();
        let cpu = fp32_settings().cpu_matmul;
        set_allow_tf32(true);
        let on = fp32_settings();
        set_allow_tf32(false);
        let off = fp32_settings();
        let flag_off = allow_tf32();
        set_allow_tf32(before);
        // What PyTorch shows after `torch.backends.cuda.matmul.allow_tf32 = True` (and the
        // same for cudnn): the matmul precision the CUDA kernels consult becomes TF32.
        assert_eq!(
            (on.cudnn_tf32, on.matmul_precision, on.cuda_matmul, on.cuda_conv),
            (true, "high", "tf32", "tf32"),
            "switched on: {on:?}"
        );
        assert!(!flag_off, "allowTF32CuBLAS still true after switching off: {off:?}");
        assert!(
            !off.cudnn_tf32
                && off.matmul_precision == "highest"
                && off.cuda_matmul != "tf32"
                && off.cuda_conv != "tf32",
            "switched off, fp32 matmuls and convolutions must be full fp32: {off:?}"
        );
        // The CPU (oneDNN) setting is not ours to change: a CPU run computes the same either way.
        assert_eq!((on.cpu_matmul, off.cpu_matmul), (cpu, cpu), "CPU fp32 precision moved: {on:?} / {off:?}");
    }

    #[test]
    fn cpu_fp32_linear_is_bit_identical_with_tf32_on_and_off() {
        let _lock = tf32_lock();
        // Deterministic inputs, no RNG: a batch through a 384 -> 96 linear layer, as in BERT.
        let values = |n: usize, k: usize, m: usize| -> Vec<f32> {
            (0..n).map(|i| ((i * k % m) as f32 - (m / 2) as f32) / 29.0).collect()
        };
        let x = tch::Tensor::from_slice(&values(64 * 384, 37, 101)).view([64, 384]);
        let w = tch::Tensor::from_slice(&values(96 * 384, 53, 97)).view([96, 384]);
        let b = tch::Tensor::from_slice(&values(96, 11, 13));
        let before = allow_tf32();
        set_allow_tf32(true);
        let on = x.linear(&w, Some(&b));
        set_allow_tf32(false);
        let off = x.linear(&w, Some(&b));
        set_allow_tf32(before);
        assert!(on.equal(&off), "CPU fp32 linear changed with the TF32 switch (max diff {})", {
            (&on - &off).abs().max().double_value(&[])
        });
    }

    /// Runs one ignored test of this binary alone, in a fresh process, with `env` added.
    fn run_alone(test: &str, env: &[(&str, &str)]) {
        let exe = std::env::current_exe().expect("own test binary");
        let out = std::process::Command::new(&exe)
            .args([test, "--exact", "--ignored", "--test-threads=1", "--nocapture"])
            .env_remove("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE")
            .envs(env.iter().copied())
            .output()
            .expect("run the test binary");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        // "1 passed", not just success: a filter that matches nothing also exits 0.
        assert!(out.status.success() && text.contains("1 passed"), "{test} with {env:?}:\n{text}");
    }

    #[test]
    fn fp32_runs_switch_tf32_off_even_when_the_environment_turns_it_on() {
        // libtorch starts with TF32 allowed when TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1, read once
        // when its context is created: hence a fresh process for each case.
        run_alone("device::tests::precision_switch_in_a_fresh_process", &[]);
        run_alone("device::tests::precision_switch_in_a_fresh_process", &[("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE", "1")]);
    }

    #[test]
    #[ignore = "run in a fresh process by fp32_runs_switch_tf32_off_even_when_the_environment_turns_it_on"]
    fn precision_switch_in_a_fresh_process() {
        use crate::train::assemble::apply_precision;
        use mixout_spec::Precision;
        let _lock = tf32_lock();
        let overridden = std::env::var("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE").is_ok_and(|v| v == "1");
        assert_eq!(allow_tf32(), overridden, "libtorch's starting TF32 state (override set: {overridden})");
        assert_eq!(fp32_settings().cuda_matmul == "tf32", overridden, "{:?}", fp32_settings());
        // Every precision a run can have, as train() applies it before the first step.
        for precision in [Precision::Fp32, Precision::Bf16, Precision::Tf32] {
            set_allow_tf32(true);
            apply_precision(precision, tch::Device::Cpu);
            // On the CPU even `tf32` is plain fp32.
            assert!(!allow_tf32(), "{precision:?} on the CPU left TF32 on: {:?}", fp32_settings());
            assert_eq!(fp32_settings().matmul_precision, "highest", "{precision:?}");
        }
        if tch::Cuda::is_available() {
            apply_precision(Precision::Tf32, tch::Device::Cuda(0));
            assert!(allow_tf32(), "tf32 on CUDA must switch TF32 on");
            apply_precision(Precision::Fp32, tch::Device::Cuda(0));
            assert!(!allow_tf32(), "fp32 on CUDA after a tf32 run must switch TF32 off");
        }
    }

    #[test]
    fn cuda_runs_keep_attention_off_cudnn() {
        // A flag of libtorch's global context: settable and readable without a GPU.
        use crate::train::assemble::apply_precision;
        use mixout_spec::Precision;
        // apply_precision also writes the TF32 switch that other tests here read.
        let _lock = tf32_lock();
        set_cudnn_attention(true);
        assert!(cudnn_attention(), "the setter does not reach libtorch's context");
        for precision in [Precision::Bf16, Precision::Fp32, Precision::Tf32] {
            set_cudnn_attention(true);
            apply_precision(precision, tch::Device::Cuda(0));
            assert!(!cudnn_attention(), "{precision:?} on CUDA left cuDNN attention on");
        }
    }

    #[test]
    fn cpu_resolves_and_missing_cuda_is_an_error() {
        assert_eq!(resolve(DeviceSpec::Cpu).unwrap(), tch::Device::Cpu);
        let n = tch::Cuda::device_count() as usize;
        let err = resolve(DeviceSpec::Cuda(n + 7)).unwrap_err().to_string();
        assert!(err.contains("CUDA device(s)"), "{err}");
    }
}
