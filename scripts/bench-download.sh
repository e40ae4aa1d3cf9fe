#!/bin/sh
# Download throughput: quench (libcurl + SHA-256 while streaming + disk) against the curl command line,
# on a 200 MB file served by a local nginx over HTTPS with a throwaway CA. Run after `swift build -c release`.
# Usage: scripts/bench-download.sh [size_mb]
set -eu
SIZE_MB=${1:-200}
QUENCH=${QUENCH:-.build/release/quench}
DIR=$(mktemp -d /tmp/quench-bench-download.XXXXXX)
chmod 755 "$DIR"  # nginx workers may run as another user (nobody when started by root)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { [ -f "$DIR/nginx.pid" ] && kill "$(cat "$DIR/nginx.pid")" 2>/dev/null; sleep 0.2; rm -rf "$DIR"; }
trap cleanup EXIT

printf '[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=bench CA\n[ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' > "$DIR/ca.cnf"
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' > "$DIR/leaf.cnf"
EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 -config "$DIR/ca.cnf" $EC -keyout "$DIR/ca.key" -out "$DIR/ca.pem" -days 1 2>/dev/null
openssl req -new $EC -keyout "$DIR/server.key" -out "$DIR/server.csr" -subj /CN=bench 2>/dev/null
openssl x509 -req -in "$DIR/server.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" -set_serial 1 -days 1 \
    -extfile "$DIR/leaf.cnf" -out "$DIR/server.pem" 2>/dev/null
mkdir -p "$DIR/www"
head -c "$((SIZE_MB * 1000000))" /dev/urandom > "$DIR/www/big.bin"
SHA=$(sha256sum "$DIR/www/big.bin" | cut -c1-64)
cat > "$DIR/nginx.conf" <<CONF
worker_processes 1; pid $DIR/nginx.pid; error_log $DIR/error.log;
events { worker_connections 16; }
http {
    client_body_temp_path $DIR/body; proxy_temp_path $DIR/proxy; fastcgi_temp_path $DIR/fcgi;
    uwsgi_temp_path $DIR/uwsgi; scgi_temp_path $DIR/scgi; access_log off;
    server { listen 127.0.0.1:$PORT ssl; root $DIR/www;
             ssl_certificate $DIR/server.pem; ssl_certificate_key $DIR/server.key; }
}
CONF
nginx -p "$DIR" -c "$DIR/nginx.conf"
sleep 0.5
URL="https://127.0.0.1:$PORT/big.bin"

echo "curl command line (writing to disk, no hashing), 3 runs:"
for run in 1 2 3; do
    curl -s --cacert "$DIR/ca.pem" -o "$DIR/curl.out" -w '%{speed_download}\n' "$URL" \
        | awk '{ printf "  %.1f MB/s\n", $1 / 1e6 }'
    rm -f "$DIR/curl.out"
done
echo "quench bench download (writing to disk, SHA-256 while streaming), median of 3:"
"$QUENCH" bench download --url "$URL" --ca-bundle "$DIR/ca.pem" --sha256 "$SHA" --runs 3
