"""The mistakes catalogue, part two: faults during a run, each compared on the whole printed `rlvr:` line.

Part one is ``tests/test_mistakes.py`` (config and data mistakes by fragments). Every case here runs the
real command line and checks what the run dir recorded. No case has a time limit.
"""
