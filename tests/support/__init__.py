"""Helpers shared by the tests and the benchmarks (``bench/``); no test lives here.

* ``server``: the real ``langgraph dev`` server with the graphs in tests/graphs (``TEST_GRAPHS``,
  ``run_langgraph_dev``, ``busy_runs``) and the differential helpers (``QUESTION``, ``mask``,
  ``ours``, ``sdks``: lgwidget's parts against the SDK's on the same request);
* ``kernel``: a real IPython kernel (``running_kernel``) and what each cell sent on iopub;
* ``harness``: real JupyterLab + Debian Chromium driven by Playwright, with process hygiene;
* ``loopback``: a tiny HTTP server on 127.0.0.1 that puts exactly the bytes a test wants on the
  wire (faults a real server cannot produce on demand);
* ``replay_server``: a separate process replaying the Agent Server's ``POST /runs/stream`` wire
  format as fast as the socket takes it (or paced), for fast-stream tests and the benchmarks;
* ``leaks``: no new thread alive and no new TCP socket held after a block.

Import them as ``tests.support.<module>`` with the repository root on ``sys.path`` (``python -m
pytest`` and ``python -m bench.<name>`` from the root put it there). Every process they start is
stopped by PID or process group when its context manager exits, also on failure.
"""
