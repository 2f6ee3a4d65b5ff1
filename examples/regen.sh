#!/bin/bash
# Regenerate the expected outputs of the example trees from a build of
# bondgen: examples/regen.sh BUILD_DIR. Review the diff before committing:
# the expected files are the reviewed truth the tests compare against.
set -euo pipefail
build=${1:?usage: examples/regen.sh BUILD_DIR}
bondgen=$(cd "$build" && pwd)/src/cli/bondgen
here=$(cd "$(dirname "$0")" && pwd)
for d in "$here"/*/; do
        [ -d "$d/root" ] || continue
        (
                cd "$d"
                rm -rf expected.yaml networkd netplan keyfile
                "$bondgen" convert --root root -o expected.yaml
                for f in networkd netplan keyfile; do
                        "$bondgen" convert --root root --format $f -o $f
                done
        ) 2>/dev/null
        echo "regenerated ${d#"$here"/}"
done
