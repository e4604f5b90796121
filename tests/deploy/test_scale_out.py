"""Pre-labelling on a cluster: the Kubernetes manifests and the Slurm array script under deploy/.

No cluster runs here: the manifests are parsed and the Job's shard argument is rendered as Kubernetes renders it,
and the Slurm script runs for every array task, as sbatch would, against the real `oaims` binary.
"""
import glob
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
SBATCH = REPO / "deploy" / "slurm" / "prelabel.sbatch"


def manifests():
    """Every document of every YAML file under deploy/k8s."""
    documents = []
    for path in sorted(glob.glob(str(K8S / "*.yaml"))):
        with open(path) as f:
            documents.extend(d for d in yaml.safe_load_all(f) if d is not None)
    return documents


def prelabel_job():
    jobs = [d for d in manifests() if d["kind"] == "Job" and d["metadata"]["name"] == "oaims-prelabel"]
    assert len(jobs) == 1, "deploy/k8s holds one Job named oaims-prelabel"
    return jobs[0]


def expand(text, env):
    """Kubernetes' $(VAR_NAME) expansion of a container's command and args: a defined variable is replaced, an
    undefined reference is left as written, and $$ stands for a literal $ (k8s.io/kubernetes
    third_party/forked/golang/expansion)."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("$(", i) and text.find(")", i) != -1:
            close = text.find(")", i)
            out.append(env.get(text[i + 2:close], text[i:close + 1]))
            i = close + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def rendered_args(job, index):
    """The container's args in the pod of one completion index. The Job controller adds JOB_COMPLETION_INDEX to each
    container's environment unless the container defines it; values from valueFrom are not known here."""
    container = job["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
    env.setdefault("JOB_COMPLETION_INDEX", str(index))
    return [expand(a, env) for a in container["args"]]


def option(args, name):
    return args[args.index(name) + 1]


def test_every_manifest_under_deploy_k8s_parses_and_names_its_kind():
    documents = manifests()

    assert all(d.get("apiVersion") and d.get("kind") for d in documents)
    assert {"Deployment", "Service", "Job"} <= {d["kind"] for d in documents}


def test_the_prelabel_job_is_indexed_and_retries_a_shard_as_a_new_pod():
    spec = prelabel_job()["spec"]

    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] >= 1 and 1 <= spec["parallelism"] <= spec["completions"]
    # backoffLimitPerIndex is only accepted with restartPolicy Never.
    assert spec["template"]["spec"]["restartPolicy"] == "Never"


def test_each_completion_index_renders_to_its_own_shard_of_as_many_as_there_are_completions():
    job = prelabel_job()
    n = job["spec"]["completions"]

    shards = [option(rendered_args(job, i), "--shard") for i in range(n)]

    assert shards == [f"{i}/{n}" for i in range(n)]


def test_the_job_pre_labels_with_the_checkpoint_mounted_read_only():
    pod = prelabel_job()["spec"]["template"]["spec"]
    container = pod["containers"][0]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}

    args = rendered_args(prelabel_job(), 0)
    assert args[0] == "prelabel"
    assert mounts[option(args, "--model")].get("readOnly") is True
    claims = {v["name"]: v["persistentVolumeClaim"] for v in pod["volumes"]}
    assert claims[mounts[option(args, "--model")]["name"]].get("readOnly") is True
    assert {option(args, "--in"), option(args, "--out")} <= {"/data/in", "/data/out"}
    assert "/data" in mounts and not mounts["/data"].get("readOnly")


def sbatch_array():
    """The task ids of the script's `#SBATCH --array=first-last` line."""
    ranges = re.findall(r"^#SBATCH --array=(\d+)-(\d+)\s*$", SBATCH.read_text(), re.MULTILINE)
    assert len(ranges) == 1, "prelabel.sbatch has one #SBATCH --array=first-last line"
    first, last = map(int, ranges[0])
    return range(first, last + 1)


def environment_outside_slurm():
    """This process's environment without what Slurm or a user of the script may have set."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "PRELABEL_", "OAIMS_SIF"))}


def test_the_sbatch_array_numbers_its_tasks_as_the_shards_from_0():
    tasks = sbatch_array()

    assert tasks.start == 0 and len(tasks) >= 2


def test_the_sbatch_script_outside_an_array_job_says_how_to_run_it(tmp_path):
    env = environment_outside_slurm()

    run = subprocess.run(["bash", str(SBATCH)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30)

    assert run.returncode != 0
    assert "Slurm array job" in run.stderr


@pytest.fixture
def oaims_cli():
    """The real `oaims`: $OAIMS_CLI (set by `make test`), else the Release build of this checkout."""
    configured = os.environ.get("OAIMS_CLI")
    path = Path(configured or REPO / "src/Oaims.Cli/bin/Release/net10.0/oaims")
    if not path.exists():
        if configured:
            pytest.fail(f"OAIMS_CLI={configured} does not exist: run `make build`.")
        pytest.skip("no oaims binary: set OAIMS_CLI or run `make build` (`make test` does both)")
    return path


def write_cohort(folder, count):
    """Tiny scans (32x32, 4 slices) with a bright blob, as NIfTI."""
    nib = pytest.importorskip("nibabel", reason="python3-nibabel writes the synthetic NIfTI inputs")
    import numpy as np

    folder.mkdir()
    names = [f"case{k}.nii.gz" for k in range(count)]
    for k, name in enumerate(names):
        image = np.random.default_rng(k).normal(100, 10, (32, 32, 4)).astype(np.float32)
        image[10 + k:20 + k, 8:18, :] += 300
        nib.save(nib.Nifti1Image(image, np.diag([1.0, 1.0, 3.0, 1.0])), str(folder / name))
    return names


def test_the_sbatch_array_tasks_together_pre_label_every_input_exactly_once(tmp_path, oaims_cli):
    names = write_cohort(tmp_path / "in", 7)
    tasks = sbatch_array()
    env = environment_outside_slurm()
    env.update(OAIMS=str(oaims_cli), PRELABEL_MODEL=str(REPO / "models" / "brain-flair"),
               PRELABEL_IN=str(tmp_path / "in"), PRELABEL_OUT=str(tmp_path / "out"),
               SLURM_ARRAY_TASK_COUNT=str(len(tasks)))

    # The tasks of an array run at once, into one output folder.
    runs = [subprocess.Popen(["bash", str(SBATCH)], env={**env, "SLURM_ARRAY_TASK_ID": str(i)}, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in tasks]
    outputs = [run.communicate(timeout=180) for run in runs]

    for i, (run, (_, errors)) in enumerate(zip(runs, outputs)):
        assert run.returncode == 0, f"task {i}: {errors}"
    written = []
    for i in tasks:
        summary = json.loads((tmp_path / "out" / f"summary-{i}-of-{len(tasks)}.json").read_text())
        assert summary["shard"] == f"{i}/{len(tasks)}" and summary["failed"] == 0
        written.extend(summary["written"])
    assert sorted(written) == names
    assert sorted(p.name for p in (tmp_path / "out").glob("*.nii.gz")) == names
