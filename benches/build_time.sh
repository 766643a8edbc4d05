#!/usr/bin/env bash
# Clean-build time of a small binary crate, three ways, in one run:
#   bare      — no dependency at all (the floor);
#   dep-only  — depends on charte but does not call charter!;
#   charter   — depends on charte and calls charter!("portals/roubaix.toml");
# then the incremental rebuild after an edit of the TOML.
# Usage: bash benches/build_time.sh [runs]   (debug profile, --offline, this lockfile)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_probe() { # name, with_dep (0/1), body
    local dir=$work/$1
    mkdir -p "$dir/src" "$dir/portals"
    cp "$root"/portals/roubaix.toml "$root"/portals/opendatasoft.toml "$dir/portals/"
    {
        printf '[package]\nname = "probe-%s"\nversion = "0.0.0"\nedition = "2021"\n\n[workspace]\n\n[dependencies]\n' "$1"
        [ "$2" = 1 ] && printf 'charte = { path = "%s" }\n' "$root"
    } > "$dir/Cargo.toml"
    cp "$root/Cargo.lock" "$dir/Cargo.lock"
    printf '%s\n' "$3" > "$dir/src/main.rs"
}

make_probe bare 0 'fn main() { println!("sessionid"); }'
make_probe dep-only 1 'fn main() { println!("{}", charte::Category::Necessary); }'
make_probe charter 1 'charte::charter!("portals/roubaix.toml");
fn main() { println!("{}", roubaix::SESSIONID.name()); }'

seconds() { # dir
    local start end
    start=$(date +%s.%N)
    (cd "$1" && cargo build --offline --quiet)
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "runs: $runs (clean build each: target/ removed)"
for probe in bare dep-only charter; do
    times=()
    for _ in $(seq "$runs"); do
        rm -rf "$work/$probe/target"
        times+=("$(seconds "$work/$probe")")
    done
    printf '%-9s clean build: %s s\n' "$probe" "${times[*]}"
done
touch "$work/charter/portals/roubaix.toml"
sed -i 's/Se souvenir de la langue du visiteur/Se souvenir de la langue choisie/' "$work/charter/portals/opendatasoft.toml"
printf '%-9s rebuild after editing the base TOML: %s s\n' charter "$(seconds "$work/charter")"
