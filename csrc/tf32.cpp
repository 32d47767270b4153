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
