# Shared by the bench scripts (sourced, not run): root check, the patched QEMU and test VM
# (scripts/setup.sh), a build of the supervisor with its test classes, and the java command line
# that runs a main from supervisor/target/test-classes.
#
#   source "$(dirname "$0")/lib.sh"
#   bench_prepare bench/faults.sh         # sets root, FTVM_QEMU, FTVM_TESTVM, bench_classpath
#   bench_java io.ftvm.faults.FaultCampaign --qemu "$FTVM_QEMU" ...

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf '[bench] %s\n' "$*" >&2; }

# Same list as <chronicle.jvm.flags> in pom.xml: the supervisor daemons a pair starts inherit
# these from this JVM, and their Chronicle log store needs them on Java 17.
bench_jvm_flags=(
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  -Dchronicle.analytics.disable=true
  -Dchronicle.disk.monitor.disable=true
)

# $1: the script's name, for the error message.
bench_prepare() {
  if [ "$(id -u)" != 0 ]; then
    echo "$1 needs root: it creates network namespaces and TAP devices" >&2
    exit 1
  fi
  eval "$("$root/scripts/setup.sh")"
  bench_build
}

# Builds the supervisor with its test classes and sets bench_classpath (no root, no VM needed).
bench_build() {
  cd "$root"
  # test-compile: the bench mains live in the supervisor's test sources. Built and resolved in
  # one reactor run, so nothing needs to be installed into ~/.m2 first (a fresh CI clone).
  log "building (mvn test-compile for supervisor and the modules it uses)"
  local classpath_file
  classpath_file=$(mktemp -t ftvm-bench-cp.XXXXXX)
  mvn -q -B -ntp -pl supervisor -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$classpath_file" >&2
  # The project's own modules come from this checkout's target/classes, never from ~/.m2: the
  # local repository is shared by every checkout on the machine, so its io.ftvm jars are whatever
  # was installed last, from any branch.
  bench_classpath="$root/supervisor/target/test-classes:$root/supervisor/target/classes"
  local module
  for module in replay logging-channel storage-lock fencing; do
    bench_classpath+=":$root/$module/target/classes"
  done
  bench_classpath+=":$(tr ':' '\n' <"$classpath_file" | grep -v '/io/ftvm/' | paste -sd:)"
  rm -f "$classpath_file"
}

# Runs a main class of the supervisor's test sources with the bench JVM flags.
bench_java() {
  java "${bench_jvm_flags[@]}" -cp "$bench_classpath" "$@"
}
