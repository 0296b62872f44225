"""Retries with care: reads are tried again after transient failures, writes are read back."""

from __future__ import annotations

import signal
from typing import Any

import docker.errors
import pytest
import requests

from vlanspec.commands.live import TIMEOUT_DEFAULT
from vlanspec.engine import engine as engine_module
from vlanspec.engine.client import DEFAULT_TIMEOUT
from vlanspec.engine.engine import Engine
from vlanspec.engine.errors import EngineError, EngineUnreachable
from vlanspec.plan.model import Endpoint, NetworkConfig
from vlanspec.state import EngineInfo


def _api_error(status: int, text: str = "boom") -> docker.errors.APIError:
    response = requests.Response()
    response.status_code = status
    return docker.errors.APIError(text, response=response, explanation=text)


RESET = requests.exceptions.ConnectionError("Connection aborted: connection reset by peer")
TIMEOUT = requests.exceptions.ReadTimeout("read timed out")


class FakeApi:
    """Each method answers from a script: an exception to raise, or a value to return."""

    timeout = 7

    def __init__(self, **scripts: list[Any]) -> None:
        self.scripts = scripts
        self.log: list[str] = []

    def _next(self, name: str) -> Any:
        self.log.append(name)
        answers = self.scripts[name]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def networks(self, **_kw: Any) -> Any:
        return self._next("networks")

    def containers(self, **_kw: Any) -> Any:
        return self._next("containers")

    def volumes(self, **_kw: Any) -> Any:
        return self._next("volumes")

    def inspect_container(self, _container: str) -> Any:
        return self._next("inspect_container")

    def connect_container_to_network(self, *_args: Any, **_kw: Any) -> Any:
        return self._next("connect")

    def create_network(self, *_args: Any, **_kw: Any) -> Any:
        return self._next("create_network")

    def remove_network(self, *_args: Any) -> Any:
        return self._next("remove_network")

    def close(self) -> None:
        pass


def _engine(api: FakeApi) -> Engine:
    engine = Engine(api, EngineInfo("20.10.24", "1.41", host="unix:///x.sock"))  # type: ignore[arg-type]
    engine.retry_delays = (0.0, 0.0, 0.0)
    return engine


ENDPOINT = Endpoint("web", "lan", "192.0.2.10")
ATTACHED = {"Id": "c1", "NetworkSettings": {"Networks": {"lan": {}}}}
DETACHED = {"Id": "c1", "NetworkSettings": {"Networks": {}}}


def test_the_cli_default_timeout_is_the_clients() -> None:
    assert TIMEOUT_DEFAULT == DEFAULT_TIMEOUT


@pytest.mark.parametrize("failure", [RESET, _api_error(500), _api_error(503)])
def test_a_read_is_retried_after_a_transient_failure(failure: BaseException) -> None:
    api = FakeApi(networks=[failure, failure, [{"Name": "lan"}]])
    engine = _engine(api)
    assert engine._network_named("lan") == {"Name": "lan"}
    assert api.log == ["networks"] * 3
    assert engine.calls["networks"] == 3


def test_a_read_gives_up_after_four_tries() -> None:
    api = FakeApi(containers=[RESET])
    with pytest.raises(EngineUnreachable, match=r"connection reset.*\(tried 4 times\)"):
        _engine(api)._call("containers", "list containers", api.containers)
    assert api.log == ["containers"] * 4


@pytest.mark.parametrize("failure", [_api_error(404), _api_error(400), TIMEOUT])
def test_refusals_and_timeouts_are_not_retried(failure: BaseException) -> None:
    api = FakeApi(networks=[failure])
    with pytest.raises((EngineError, EngineUnreachable)):
        _engine(api)._network_named("lan")
    assert api.log == ["networks"]


def test_a_timeout_says_so() -> None:
    api = FakeApi(networks=[TIMEOUT])
    with pytest.raises(EngineUnreachable) as caught:
        _engine(api)._network_named("lan")
    assert caught.value.timed_out
    assert "no answer within 7 s" in caught.value.message
    assert "--timeout" in (caught.value.hint or "")


@pytest.mark.parametrize("failure", [RESET, TIMEOUT, _api_error(500)])
def test_a_failed_write_that_took_effect_counts_as_done(failure: BaseException) -> None:
    api = FakeApi(connect=[failure], inspect_container=[ATTACHED])
    _engine(api).connect(ENDPOINT)
    assert api.log == ["connect", "inspect_container"]


@pytest.mark.parametrize("failure", [RESET, TIMEOUT, _api_error(500)])
def test_a_failed_write_that_did_not_happen_fails_clearly_and_is_not_repeated(
    failure: BaseException,
) -> None:
    api = FakeApi(connect=[failure], inspect_container=[DETACHED])
    with pytest.raises((EngineError, EngineUnreachable)) as caught:
        _engine(api).connect(ENDPOINT)
    assert api.log == ["connect", "inspect_container"]
    assert "connect container web to network lan" in caught.value.message
    assert "found the connect not done" in (caught.value.hint or "")
    if isinstance(caught.value, EngineError):
        assert caught.value.status == 500


def test_a_refused_write_is_not_read_back() -> None:
    api = FakeApi(connect=[_api_error(403, "Address already in use")])
    with pytest.raises(EngineError, match="Address already in use"):
        _engine(api).connect(ENDPOINT)
    assert api.log == ["connect"]


def test_a_write_whose_check_also_fails_says_it_is_unknown() -> None:
    api = FakeApi(remove_network=[TIMEOUT], networks=[RESET])
    with pytest.raises(EngineUnreachable) as caught:
        _engine(api).remove_network("lan")
    assert "could not read back whether 'delete network lan' took effect" in (
        caught.value.hint or ""
    )
    assert api.log == ["remove_network"] + ["networks"] * 4


def test_a_created_network_is_recognised_by_name_and_labels() -> None:
    config = NetworkConfig("lan", "macvlan", labels={"io.vlanspec.spec": "lab"})
    ours = {"Name": "lan", "Id": "n1", "Labels": {"io.vlanspec.spec": "lab", "x": "y"}}
    api = FakeApi(create_network=[_api_error(500)], networks=[[{"Name": "lan2"}, ours]])
    assert _engine(api).create_network(config) == "n1"
    foreign = {"Name": "lan", "Id": "n2", "Labels": {}}
    api = FakeApi(create_network=[RESET], networks=[[foreign]])
    with pytest.raises(EngineUnreachable):
        _engine(api).create_network(config)


def test_disconnect_is_done_when_the_container_is_no_longer_attached() -> None:
    class Api(FakeApi):
        def disconnect_container_from_network(self, *_a: Any, **_kw: Any) -> Any:
            return self._next("disconnect")

    api = Api(disconnect=[RESET], inspect_container=[DETACHED])
    _engine(api).disconnect("web", "lan")
    api = Api(disconnect=[RESET], inspect_container=[ATTACHED])
    with pytest.raises(EngineUnreachable):
        _engine(api).disconnect("web", "lan")


def test_the_kill_hook_counts_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    killed: list[tuple[int, int]] = []
    monkeypatch.setenv(engine_module.KILL_AFTER_CALL, "3")
    monkeypatch.setattr(
        "vlanspec.engine.engine.os.kill", lambda pid, sig: killed.append((pid, sig))
    )
    api = FakeApi(networks=[RESET, [{"Name": "lan"}]])
    engine = _engine(api)
    engine._network_named("lan")  # requests 1 and 2
    assert killed == []
    engine._network_named("lan")  # request 3
    assert [sig for _, sig in killed] == [signal.SIGKILL]
