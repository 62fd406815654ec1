"""`make bench-fleet`: a fleet of invoker containers under STS and SageMaker runtime throttling.

Two runs against the emulator, each done "before" and "after":

- burst (real time): N containers of the packaged handler cold-start within one second, then
  serve steady traffic, against the emulator's rate limits (burst.py);
- storm (simulated clock): the same fleet for hours of simulated time, to see when it
  refreshes its parent-role keys (storm.py).

"Before" is the invoker without its deadline-bounded throttle retries (throttle_retry.py) and
with botocore's fixed refresh windows (no jitter); "after" is the invoker as packaged.
"""
