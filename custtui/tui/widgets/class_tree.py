"""The classification tree: a lazy view over customers' fields with a count on every node."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...core.tasks.browse import Classification

Path = tuple[str, ...]


class ClassTree(Tree[Path]):
    """Children are computed when a node is first expanded, never for the whole archive at once."""

    class Picked(Message):
        """The highlighted node changed: show its customers."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, **kwargs) -> None:
        super().__init__("全部客户", data=(), **kwargs)
        self.classification: Classification | None = None
        self.show_root = True
        self.guide_depth = 2

    def show(self, classification: Classification, select: Path = ()) -> None:
        """Rebuild from a classification, expanding down to ``select`` (kept across reloads)."""
        self.classification = classification
        self.clear()
        self.root.set_label(self._label("全部客户", classification.total))
        self.root.data = ()
        self._fill(self.root)
        self.root.expand()
        node = self.root
        for depth in range(len(select)):
            child = next((c for c in node.children if c.data == select[: depth + 1]), None)
            if child is None:
                break
            self._fill(child)
            child.expand()
            node = child
        self.move_cursor(node)

    @staticmethod
    def _label(text: str, count: int) -> str:
        return f"{text} [dim]{count}[/]"

    def _fill(self, node: TreeNode[Path]) -> None:
        if node.children or self.classification is None:
            return
        for child in self.classification.children(node.data):
            leaf = len(child.path) >= len(self.classification.order)
            node.add(self._label(child.label, child.count), data=child.path, allow_expand=not leaf)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Path]) -> None:
        self._fill(event.node)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Path]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Picked(event.node.data))
