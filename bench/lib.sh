# Helpers the bench scripts share; each sources it from the repository's root (`. bench/lib.sh`).

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits up to 30 s until something listens on 127.0.0.1:PORT; 1 if nothing did.
wait_port() {
  for _ in $(seq 300); do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2).close()' "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no server on port $1" >&2
  return 1
}
