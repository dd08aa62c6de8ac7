"""Text handling that Vietnamese content needs: normalisation, folding, HTML."""
