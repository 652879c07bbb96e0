#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests: munged, slurmctld and slurmd from
# Debian's slurm-wlm and munge, as root, on non-default ports, with every file under DIR.
#
#   tests/slurm/local_cluster.sh start DIR PORT   # prints SLURM_CONF=DIR/slurm.conf on success
#   tests/slurm/local_cluster.sh stop DIR         # stops the daemons it started, by process id
# start exits 3 with a reason when Slurm cannot run here (not root, packages missing).
set -uo pipefail
cmd=$1 dir=$2
stop() {
  local pids=()
  for d in slurmd slurmctld munged; do
    [ -f "$dir/$d.pid" ] && pids+=("$(cat "$dir/$d.pid")")
  done
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
  for _ in $(seq 1 50); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -f "$dir"/*.pid
  return 0
}
if [ "$cmd" = stop ]; then stop; exit 0; fi
port=$3
[ "$(id -u)" = 0 ] || { echo "not root: slurmd must run as root"; exit 3; }
for b in munged slurmctld slurmd sbatch squeue; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || { echo "$b not installed (slurm-wlm, munge)"; exit 3; }
done
export PATH=$PATH:/usr/sbin
mkdir -p "$dir/state" "$dir/spool"
host=$(hostname -s)
head -c 1024 /dev/urandom > "$dir/munge.key" && chmod 400 "$dir/munge.key"
munged --key-file="$dir/munge.key" --socket="$dir/munge.sock" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge.seed" --force || { echo "munged did not start"; exit 3; }
cat > "$dir/slurm.conf" <<CONF
ClusterName=dlmevaltest
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
NodeName=$host CPUs=$(nproc) RealMemory=2048 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$dir/slurm.conf" || { echo "slurmctld did not start (see $dir/slurmctld.log)"; stop; exit 3; }
slurmd -f "$dir/slurm.conf" || { echo "slurmd did not start (see $dir/slurmd.log)"; stop; exit 3; }
for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -q idle; then echo "SLURM_CONF=$dir/slurm.conf"; exit 0; fi
  sleep 0.5
done
echo "the node did not become idle (see $dir/slurmctld.log, $dir/slurmd.log)"; stop; exit 3
