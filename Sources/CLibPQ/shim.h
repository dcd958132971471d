// libpq's public header. pkg-config (libpq) supplies the include path:
// /usr/include/postgresql on Debian, the Homebrew prefix on macOS.
#include <libpq-fe.h>
