#!/usr/bin/env bash
# Deploys one image to one environment:  ./deploy.sh <dev|test|stage|prod> <image>
# It stands for the team's real deploy (kubectl, helm, an API call); the workflow only
# has to call it with the right environment and the image built in the same run.
set -euo pipefail

usage="usage: deploy.sh <dev|test|stage|prod> <image>"
env="${1:?$usage}"
image="${2:?$usage}"
case "$env" in
  dev | test | stage | prod) ;;
  *) echo "unknown environment: $env ($usage)" >&2; exit 64 ;;
esac

echo "deploying $image to $env"
kubectl --context "$env" --namespace orders set image deployment/orders-api api="$image"
kubectl --context "$env" --namespace orders rollout status deployment/orders-api --timeout=180s
