"""The agent's command-line flags as README documents them: the only flags a deployment
manifest, unit or image may pass. One list for every deploy test."""

CONTRACT_FLAGS = {"--config.file", "--web.listen-address", "--web.telemetry-path", "--web.config.file",
                  "--log.level", "--log.format", "--storage.path", "--shard", "--probe.timeout-offset"}
