"""A base for objects that hold connections (HTTP clients, providers): `with obj:` closes them."""

from typing import Self


class Closing:
    """`with obj:` gives `obj` and calls `obj.close()` at the end."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
