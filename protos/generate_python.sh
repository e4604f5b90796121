#!/usr/bin/env bash
# Regenerates the Python stubs of the Slicer client from protos/oaims/v1/*.proto.
# Uses Debian's protoc (3.21) and grpc_python_plugin (protobuf-compiler-grpc), so the output is byte-stable.
#   protos/generate_python.sh              -> slicer-plugin/oaims_client/generated/
#   protos/generate_python.sh OUT_DIR      -> OUT_DIR (the drift test compares that with the committed stubs)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="${1:-$root/slicer-plugin/oaims_client/generated}"
protoc_bin="${PROTOC:-protoc}"
plugin="${GRPC_PYTHON_PLUGIN:-/usr/bin/grpc_python_plugin}"

command -v "$protoc_bin" >/dev/null || { echo "protoc not found (apt-get install protobuf-compiler)" >&2; exit 3; }
[ -x "$plugin" ] || { echo "grpc_python_plugin not found at $plugin (apt-get install protobuf-compiler-grpc)" >&2; exit 3; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Relative proto paths keep absolute machine paths out of the generated files.
(cd "$root/protos" && "$protoc_bin" -I . \
  --python_out="$work" --pyi_out="$work" --grpc_python_out="$work" \
  --plugin=protoc-gen-grpc_python="$plugin" \
  oaims/v1/*.proto)

mkdir -p "$out"
rm -f "$out"/*_pb2.py "$out"/*_pb2.pyi "$out"/*_pb2_grpc.py
for f in "$work"/oaims/v1/*.py "$work"/oaims/v1/*.pyi; do
  # protoc writes `from oaims.v1 import x_pb2 as ...`; the stubs live in the package oaims_client.generated,
  # so the imports between them become relative. The proto package stays oaims.v1 on the wire.
  sed -E 's/^from oaims\.v1 import /from . import /' "$f" > "$out/$(basename "$f")"
done
cat > "$out/__init__.py" <<'PY'
"""Generated gRPC stubs of the OAIMS wire contract (protos/oaims/v1). Do not edit: run protos/generate_python.sh."""
PY
