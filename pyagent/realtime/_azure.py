"""The credential names of the Azure SDK, so code written for azure-ai-voicelive ports by changing its imports.

``AzureKeyCredential`` is pyagent's :class:`~pyagent.realtime.KeyCredential`; ``AsyncTokenCredential`` is the protocol
azure-core defines (an async ``get_token(*scopes)`` plus ``close()`` and ``async with``), checked by ``isinstance``
as the Azure samples do; ``DefaultAzureCredential`` builds azure-identity's own, which does the Entra ID work, so a
port needs azure-identity only when it signs in with Entra ID, and no azure package for a key.
"""

from __future__ import annotations

import importlib
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

from pyagent.realtime._credentials import KeyCredential
from pyagent.realtime.errors import MissingDependencyError

__all__ = ["AsyncTokenCredential", "AzureKeyCredential", "DefaultAzureCredential"]

AzureKeyCredential = KeyCredential
"""An API key (``azure.core.credentials.AzureKeyCredential``'s name for :class:`KeyCredential`)."""


@runtime_checkable
class AsyncTokenCredential(Protocol):
    """An async Entra ID credential (``azure.core.credentials_async.AsyncTokenCredential``): what azure-identity's
    ``aio`` credentials are, and what ``connect(credential=...)`` asks for a token with the Voice Live scope."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """A token (an object with ``.token`` and ``.expires_on``) for the scopes."""
        ...

    async def close(self) -> None:
        """Release the credential's transport."""
        ...

    async def __aenter__(self) -> Any: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> Any: ...


def DefaultAzureCredential(**kwargs: Any) -> AsyncTokenCredential:  # a function, named as the code it serves calls it
    """azure-identity's async ``DefaultAzureCredential`` (environment, workload and managed identity, Azure CLI, ...).

    Args:
        **kwargs: passed to ``azure.identity.aio.DefaultAzureCredential``.

    Raises:
        MissingDependencyError: azure-identity is not installed (``pip install azure-identity``).
    """
    try:
        module = importlib.import_module("azure.identity.aio")
    except ImportError as exc:
        raise MissingDependencyError(
            "Entra ID credentials come from azure-identity: pip install azure-identity (or give a key with "
            "AzureKeyCredential)"
        ) from exc
    credential: AsyncTokenCredential = module.DefaultAzureCredential(**kwargs)
    return credential
