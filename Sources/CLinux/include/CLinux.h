#ifndef WW_CLINUX_H
#define WW_CLINUX_H
// Thin shims over Linux calls that Swift cannot make directly
// (variadic syscall(), struct cmsg handling, signalfd).
#include "ww_process.h"
#include "ww_features.h"
#include "ww_kernel.h"
#include "ww_terminal.h"
#include "ww_exec.h"
#include "ww_devices.h"
#endif
