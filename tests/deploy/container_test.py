#!/usr/bin/python3
"""Static checks of deploy/container/Containerfile, fast and without podman (the deployment tests,
tests/deploy/image_deploy_test.py, build and run it for Debian 12 and 13).

- multi-stage: the Debian stages FROM a supported Debian slim image (trixie by default), the
  .deb export stage FROM scratch;
- every package the build stage installs exists in Debian's apt cache (`apt-cache show`);
- the build stage installs every package of the `build` and `libraries` groups of
  scripts/debian-packages-run.txt (so the image builds what CI builds) and makes the .deb;
- the runtime stage installs that .deb (its libraries come from dpkg-shlibdeps) and no -dev
  package;
- every COPY source (outside --from=) exists in the repository;
- runtime: USER is not root, EXPOSE 9781, no HEALTHCHECK that needs a shell, OCI labels
  (title, licenses, version, revision, created) fed from build arguments, the CMD listens on
  the exposed port with contract flags only;
- the build stage's sources configure on their own (no .git), and a revision given as the
  build argument reaches the binary's build info (RDNS_GIT_REVISION, never replaced);
- with rdns_config_lint: the config the package (and so the image) installs loads with the
  exporter's own loader and watches no address (no false alerts out of the box).

Usage: container_test.py REPO_ROOT [AGENT_BINARY [RDNS_CONFIG_LINT]]   (AGENT_BINARY: unused)
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import report  # noqa: E402
from cli_contract import CONTRACT_FLAGS  # noqa: E402

PORT = "9781"
SUPPORTED_BASES = {"debian:bookworm-slim", "debian:trixie-slim"}


def parse(path):
    """[(instruction, args)] with continuations joined and comments dropped."""
    with open(path) as f:
        text = f.read()
    lines, buf = [], ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("#") and not buf:
            continue
        if raw.lstrip().startswith("#"):
            continue  # comment inside a continuation
        buf += raw.rstrip()
        if buf.endswith("\\"):
            buf = buf[:-1] + " "
            continue
        if buf.strip():
            instr, _, rest = buf.strip().partition(" ")
            lines.append((instr.upper(), rest.strip()))
        buf = ""
    return lines


def apt_packages(run_args):
    """Package names of every `apt-get install` in a RUN line."""
    pkgs = []
    for cmd in re.split(r"&&|;", run_args):
        words = shlex.split(cmd)
        if len(words) >= 2 and words[0] == "apt-get" and "install" in words:
            pkgs += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return pkgs


def package_groups(path):
    groups, current = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                current = line.lstrip("# ").split()[0] if line.lstrip("# ") else current
                groups.setdefault(current, [])
            elif line and current:
                groups[current].append(line)
    return groups


def main():
    root = sys.argv[1]
    agent = sys.argv[2] if len(sys.argv) > 2 else None
    lint = sys.argv[3] if len(sys.argv) > 3 else None
    path = os.path.join(root, "deploy", "container", "Containerfile")
    instrs = parse(path)
    errors = []

    args = {}
    for instr, rest in instrs:
        if instr == "ARG" and "=" in rest:
            k, v = rest.split("=", 1)
            args[k] = v
    stages = []
    for instr, rest in instrs:
        if instr == "FROM":
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), rest.split()[0])
            stages.append({"image": image, "instrs": []})
        elif stages:
            stages[-1]["instrs"].append((instr, rest))
    if len(stages) < 2:
        errors.append(f"expected a multi-stage build, found {len(stages)} stage(s)")
    if args.get("DEBIAN_IMAGE") != "debian:trixie-slim":
        errors.append(f"ARG DEBIAN_IMAGE={args.get('DEBIAN_IMAGE')}: expected debian:trixie-slim (Debian 13)")
    for s in stages:
        if s["image"] not in SUPPORTED_BASES and s["image"] != "scratch":
            errors.append(f"stage FROM {s['image']}: expected one of {sorted(SUPPORTED_BASES)} or scratch")
    build, runtime = (stages[0], stages[-1]) if len(stages) >= 2 else ({"instrs": []}, {"instrs": []})

    def installs(stage):
        return [p for i, r in stage["instrs"] if i == "RUN" for p in apt_packages(r)]

    build_pkgs, runtime_pkgs = installs(build), installs(runtime)
    debs = [p for p in runtime_pkgs if p.endswith(".deb")]
    if not any(re.fullmatch(r"/tmp/deb/rdns-exporter_\*\.deb", p) for p in debs):
        errors.append(f"runtime stage must install the .deb the build stage made, installs {runtime_pkgs}")
    builds_deb = any(i == "RUN" and "cpack -G DEB" in r for i, r in build["instrs"])
    if not builds_deb:
        errors.append("build stage must make the .deb (cpack -G DEB)")
    runtime_pkgs = [p for p in runtime_pkgs if p not in debs]
    # One apt-cache call for all (it is slow to start); it prints a stanza per package found.
    wanted = sorted(set(build_pkgs + runtime_pkgs))
    proc = subprocess.run(["apt-cache", "show", "--no-all-versions", *wanted],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    found = set(re.findall(r"^Package: (\S+)$", proc.stdout, re.M))
    for pkg in wanted:
        if pkg not in found:
            errors.append(f"package {pkg} is not in Debian's apt cache")
    groups = package_groups(os.path.join(root, "scripts", "debian-packages-run.txt"))
    for group in ("build", "libraries"):
        missing = set(groups.get(group, [])) - set(build_pkgs)
        if not groups.get(group):
            errors.append(f"scripts/debian-packages-run.txt has no '{group}' group")
        elif missing:
            errors.append(f"build stage lacks {group} packages {sorted(missing)}")
    if any(p.endswith("-dev") for p in runtime_pkgs):
        errors.append("runtime stage installs -dev packages")

    for instr, rest in build["instrs"] + runtime["instrs"]:
        if instr != "COPY" or "--from=" in rest:
            continue
        words = [w for w in shlex.split(rest) if not w.startswith("--")]
        for src in words[:-1]:
            if not os.path.exists(os.path.join(root, src)):
                errors.append(f"COPY source {src} does not exist in the repository")

    # The build stage's sources alone must configure: copy exactly what it COPYs into a
    # scratch dir and run its cmake configure line there (compiling them is what the normal
    # build already proves). Catches a CMakeLists.txt that needs a file the image lacks.
    if shutil.which("cmake"):
        with tempfile.TemporaryDirectory(prefix="rdns-image-src-") as tmp:
            for instr, rest in build["instrs"]:
                if instr != "COPY" or "--from=" in rest:
                    continue
                words = [w for w in shlex.split(rest) if not w.startswith("--")]
                dest = os.path.join(tmp, words[-1])  # relative to WORKDIR = the scratch dir
                for src in words[:-1]:
                    full = os.path.join(root, src)
                    if os.path.isdir(full):  # COPY dir/ dest/: the directory's contents
                        shutil.copytree(full, dest, dirs_exist_ok=True)
                    elif os.path.isfile(full):
                        target = dest if not words[-1].endswith("/") else os.path.join(dest, os.path.basename(src))
                        os.makedirs(os.path.dirname(target), exist_ok=True)
                        shutil.copy(full, target)
            # The configure half of the build stage's `cmake -S . -B /build ... && cmake --build`.
            runs = [r for i, r in build["instrs"] if i == "RUN" and "cmake -S" in r]
            # The build arguments as `--build-arg RDNS_GIT_REVISION=...` would set them.
            build_args = {"RDNS_GIT_REVISION": "containertest1234", "RDNS_VERSION": ""}
            configure = runs[0].split("&&")[0] if runs else ""
            configure = re.sub(r"\$\{(\w+)\}", lambda m: build_args.get(m.group(1), m.group(0)), configure)
            words = shlex.split(configure)
            flags = [w for i, w in enumerate(words[1:], 1)
                     if w not in ("-S", "-B") and words[i - 1] not in ("-S", "-B")]
            proc = subprocess.run(["cmake", "-S", tmp, "-B", os.path.join(tmp, "_build"), *flags],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
            if proc.returncode != 0 or not runs:
                errors.append("the build stage's sources do not configure:\n" + proc.stdout[-3000:])
            else:
                print("build stage sources configure with: cmake " + " ".join(flags))
                if "revision containertest1234" not in proc.stdout:
                    errors.append("the RDNS_GIT_REVISION build argument does not reach the build info:\n"
                                  + proc.stdout[-1500:])

    rt = dict()
    for instr, rest in runtime["instrs"]:
        rt.setdefault(instr, []).append(rest)
    user = (rt.get("USER") or ["root"])[-1].split(":")[0]
    if user in ("root", "0"):
        errors.append("runtime stage must set a non-root USER")
    if PORT not in " ".join(rt.get("EXPOSE", [])).split():
        errors.append(f"runtime stage must EXPOSE {PORT}")
    hc = " ".join(rt.get("HEALTHCHECK", []))
    if re.search(r"/bin/(ba)?sh|CMD-SHELL|\bCMD\s+[^\[]", hc):
        errors.append(f"HEALTHCHECK must not need a shell: {hc}")
    labels = " ".join(rt.get("LABEL", []))
    for key, source in (("title", None), ("licenses", None), ("version", "RDNS_VERSION"),
                        ("revision", "RDNS_GIT_REVISION"), ("created", "BUILD_DATE")):
        m = re.search(rf'org\.opencontainers\.image\.{key}="([^"]*)"', labels)
        if not m:
            errors.append(f"runtime stage lacks LABEL org.opencontainers.image.{key}")
        elif source and m.group(1) != "${" + source + "}":
            errors.append(f"LABEL org.opencontainers.image.{key} should be ${{{source}}}, is {m.group(1)}")
    if 'licenses="Apache-2.0"' not in labels:
        errors.append("LABEL org.opencontainers.image.licenses must be Apache-2.0")
    if not rt.get("ENTRYPOINT") or "/usr/bin/rdns_exporter" not in rt["ENTRYPOINT"][-1]:
        errors.append("ENTRYPOINT must run /usr/bin/rdns_exporter")
    import json
    cmd = json.loads(rt["CMD"][-1]) if rt.get("CMD") else []
    for a in cmd:
        if a.split("=", 1)[0] not in CONTRACT_FLAGS:
            errors.append(f"CMD flag {a} is not in the CLI contract")
    listen = [a.split("=", 1)[1] for a in cmd if a.startswith("--web.listen-address=")]
    if listen and not listen[0].endswith(":" + PORT):
        errors.append(f"CMD listens on {listen[0]}, EXPOSE says {PORT}")

    if lint:
        # The package installs deploy/container/rdns_exporter.toml as its default config.
        src = os.path.join(root, "deploy", "container", "rdns_exporter.toml")
        proc = subprocess.run([lint, src], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        print(proc.stdout.strip())
        if proc.returncode != 0:
            errors.append("the default config deploy/container/rdns_exporter.toml does not load")
        with open(src) as f:
            if re.search(r"^\s*\[\[targets\]\]", f.read(), re.M):
                errors.append("the default config must watch no address")

    print(f"{len(stages)} stages, {len(set(build_pkgs + runtime_pkgs))} packages checked")
    return report(errors)


if __name__ == "__main__":
    sys.exit(main())
