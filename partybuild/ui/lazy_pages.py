"""Pages built on first visit: a stacked widget's pages by name, made when first asked for.

Start-up then builds only the page that is shown (the overview computes its figures only when
it is opened), and a page registered in ``main_window.PAGES`` needs nothing more to be lazy.
``pages[name]`` builds the page if need be; ``values()``/``items()`` are the pages built so far
(the ones a refresh, a save of settings or the unsaved-typing check has to visit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtWidgets import QStackedWidget, QWidget


class LazyPages:
    """The pages of a :class:`QStackedWidget`, one placeholder each until first use."""

    def __init__(self, stack: QStackedWidget, make: Callable[[str], QWidget]) -> None:
        self._stack = stack
        self._make = make
        self._names: list[str] = []
        self._built: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}
        self._hooks: list[Callable[[str, QWidget], None]] = []

    def register(self, name: str) -> None:
        placeholder = QWidget()
        self._names.append(name)
        self._placeholders[name] = placeholder
        self._stack.addWidget(placeholder)

    def __getitem__(self, name: str) -> QWidget:
        page = self._built.get(name)
        if page is not None:
            return page
        placeholder = self._placeholders.pop(name)  # KeyError: no such page
        index = self._stack.indexOf(placeholder)
        current = self._stack.currentIndex()
        page = self._make(name)
        self._built[name] = page
        for hook in self._hooks:
            hook(name, page)
        self._stack.insertWidget(index, page)
        self._stack.removeWidget(placeholder)
        placeholder.deleteLater()
        if current == index:
            self._stack.setCurrentIndex(index)
        return page

    def __setitem__(self, name: str, page: QWidget) -> None:
        """A page made elsewhere (and added to the stack by its maker), e.g. 用户管理."""
        if name not in self._names:
            self._names.append(name)
        self._built[name] = page

    def when_built(self, hook: Callable[[str, QWidget], None]) -> None:
        """Call ``hook(name, page)`` for every page built so far and each one built later
        (what must hold for a page whenever it exists, such as the account's permissions)."""
        self._hooks.append(hook)
        for name, page in self.items():
            hook(name, page)

    def get(self, name: str, default: QWidget | None = None) -> QWidget | None:
        return self[name] if name in self._names else default

    def built(self, name: str) -> QWidget | None:
        """The page if it has been built, without building it."""
        return self._built.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def keys(self) -> list[str]:
        return list(self._names)

    def values(self) -> list[QWidget]:
        return [self._built[n] for n in self._names if n in self._built]

    def items(self) -> list[tuple[str, QWidget]]:
        return [(n, self._built[n]) for n in self._names if n in self._built]
