// libseccomp (Debian: libseccomp-dev), used to compile WineWarden's filters to BPF.
#include <seccomp.h>
