#!/usr/bin/env bash
# `make run` starts each Procfile process through this: when the process ends on its own (a crash,
# a lost lock), say so in one line and start it again, so honcho does not stop all the others.
# SIGTERM/SIGINT (Ctrl-C, honcho stopping) end it for good.
# Usage: scripts/respawn.sh NAME COMMAND [ARGS…]
name=$1
shift
delay=${VF_RESPAWN_DELAY:-2}
stopping=0
child=
trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
while :; do
  "$@" &
  child=$!
  wait "$child"
  code=$?
  # A trapped signal interrupts `wait`: wait for the child itself to finish.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
  [ "$stopping" = 1 ] && exit 0
  echo "$name ended (exit code $code); starting it again in ${delay} s."
  sleep "$delay"
  [ "$stopping" = 1 ] && exit 0
done
