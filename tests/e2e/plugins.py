"""Sources of small plugins the end-to-end tests install on the fly (see the ``plugin_site`` fixture)."""

# A command that needs the server and a login: lists the workflows, as any server command would.
PROBE = '''
from mojodex_core import hookimpl


async def probe(ctx, args):
    data = await ctx.server.request("GET", "/user_workflow", params={"version": "0.0.0"})
    ctx.print(f"probe: {len(data.get('user_workflows', []))} workflow(s)")


@hookimpl
def mojodex_register_commands(register):
    register("probe", probe, help="Ask the server for the workflows")
'''

# Fails as it is imported.
BROKEN = '''
raise RuntimeError("this plugin is broken on purpose")
'''

# Leaves a mark in $MARK_DIR when imported, so that a test can tell whether it ever was.
MARKER = '''
import os
from pathlib import Path

from mojodex_core import hookimpl

Path(os.environ["MARK_DIR"], "marker-imported").write_text("imported")


@hookimpl
def mojodex_register_commands(register):
    register("marked", lambda ctx, args: ctx.print("marked ran"), help="A command of the marker plugin")
'''

# A command that raises an unexpected exception, and one startup hook that does too.
BOOM = '''
from mojodex_core import hookimpl


def boom(ctx, args):
    raise RuntimeError("kaboom")


@hookimpl
def mojodex_register_commands(register):
    register("boom", boom, help="Fail with an unexpected error")


@hookimpl
def mojodex_startup(ctx):
    raise ValueError("startup went wrong")
'''

# A command that runs until cancelled.
WAIT = '''
import asyncio

from mojodex_core import hookimpl


async def wait(ctx, args):
    ctx.print("waiting for Ctrl-C")
    await asyncio.Event().wait()


@hookimpl
def mojodex_register_commands(register):
    register("wait", wait, help="Wait until cancelled")
'''
