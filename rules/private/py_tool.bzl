"""py_tool: one of the rules' Python helpers, NAME.py, as

  NAME        a py_binary, which the rules run as a tool (cfg = "exec"), so the
              interpreter is the Python toolchain's and the source an input;
  NAME_lib    the same source as a library (`import NAME`);
  NAME_test   its unit test, NAME_test.py.
"""

def py_tool(name, test_data = []):
    native.py_library(
        name = name + "_lib",
        srcs = [name + ".py"],
        imports = ["."],
    )
    native.py_binary(
        name = name,
        srcs = [name + ".py"],
        python_version = "PY3",
        visibility = ["//visibility:public"],
    )
    native.py_test(
        name = name + "_test",
        size = "small",
        srcs = [name + "_test.py"],
        data = test_data,
        python_version = "PY3",
        deps = [":" + name + "_lib"],
    )
