// libcurl from Debian's libcurl4-openssl-dev (OpenSSL TLS backend).
#include <curl/curl.h>
