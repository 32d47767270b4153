// The one libtorch setting tch does not expose: whether fp32 matmuls and convolutions may run
// on TF32 tensor cores (PyTorch's torch.backends.cuda.matmul.allow_tf32). Built by build.rs.
#include <ATen/Context.h>

extern "C" void mixout_set_allow_tf32(int allow) {
  at::globalContext().setAllowTF32CuBLAS(allow != 0);
  at::globalContext().setAllowTF32CuDNN(allow != 0);
}

extern "C" int mixout_allow_tf32() {
  return at::globalContext().allowTF32CuBLAS() ? 1 : 0;
}

// Read-backs of libtorch's own fp32 settings, each through a different getter of the global
// context than the one the setter above writes, so a test can tell that the switch reaches
// what libtorch's kernels consult. Strings are static literals, as PyTorch spells them.

// torch.backends.cudnn.allow_tf32.
extern "C" int mixout_allow_tf32_cudnn() {
  return at::globalContext().allowTF32CuDNN() ? 1 : 0;
}

// torch.get_float32_matmul_precision(): "highest", "high" or "medium".
extern "C" const char* mixout_float32_matmul_precision() {
  switch (at::globalContext().float32MatmulPrecision()) {
    case at::Float32MatmulPrecision::HIGHEST:
      return "highest";
    case at::Float32MatmulPrecision::HIGH:
      return "high";
    case at::Float32MatmulPrecision::MEDIUM:
      return "medium";
  }
  return "unknown";
}

// torch.backends.<backend>.<op>.fp32_precision: "none", "ieee", "tf32" or "bf16".
// backend: 0 cuda, 1 mkldnn (the CPU); op: 0 matmul, 1 conv. Ints rather than strings
// because libtorch's str2backend throws on an unknown name, and no exception may cross C.
extern "C" const char* mixout_fp32_precision(int backend, int op) {
  const auto b = backend == 0 ? at::Float32Backend::CUDA : at::Float32Backend::MKLDNN;
  const auto o = op == 0 ? at::Float32Op::MATMUL : at::Float32Op::CONV;
  switch (at::globalContext().float32Precision(b, o)) {
    case at::Float32Precision::NONE:
      return "none";
    case at::Float32Precision::IEEE:
      return "ieee";
    case at::Float32Precision::TF32:
      return "tf32";
    case at::Float32Precision::BF16:
      return "bf16";
  }
  return "unknown";
}

// torch.backends.cuda.enable_cudnn_sdp(): whether scaled_dot_product_attention may pick
// cuDNN's attention (bf16/fp16 on sm_80+). cuDNN builds an execution plan per input shape,
// on the host; the unpadded encoder's length buckets change shape every batch.
extern "C" void mixout_set_sdp_cudnn(int enable) {
  at::globalContext().setSDPUseCuDNN(enable != 0);
}

extern "C" int mixout_sdp_cudnn() {
  return at::globalContext().userEnabledCuDNNSDP() ? 1 : 0;
}
