/*
 * yanchor.c - the table of YAML anchor names that yaml.c (meta.yaml)
 * and ytree.c (MLproject) both keep while reading: open addressing on
 * an FNV-1a hash, so that many anchors and aliases stay linear.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mlp-int.h"

/* The slot holding name, or the empty one where it would go. */
static size_t
slot_of(const struct mlp_yanchors *a, const char *name)
{
	size_t	mask = a->nslot - 1, i = mlp_str_hash(name) & mask;

	while (a->slot[i] != 0 && strcmp(a->name[a->slot[i] - 1], name) != 0)
		i = (i + 1) & mask;
	return i;
}

size_t
mlp_yanchors_find(const struct mlp_yanchors *a, const char *name)
{
	size_t	i;

	if (a->nslot == 0)
		return MLP_YANCHOR_NONE;
	i = slot_of(a, name);
	return a->slot[i] != 0 ? a->slot[i] - 1 : MLP_YANCHOR_NONE;
}

size_t
mlp_yanchors_add(struct mlp_yanchors *a, const char *name)
{
	size_t	i;

	MLP_ALLOC_GROW(a->name, a->n, a->alloc, 8);
	a->name[a->n++] = mlp_xstrdup(name);
	if (2 * a->n > a->nslot) {
		/* grow and rehash; a redefined name ends at its latest */
		free(a->slot);
		a->nslot = a->nslot != 0 ? 2 * a->nslot : 16;
		a->slot = mlp_xcalloc(a->nslot, sizeof *a->slot);
		for (i = 0; i < a->n; i++)
			a->slot[slot_of(a, a->name[i])] = i + 1;
	} else
		a->slot[slot_of(a, name)] = a->n;
	return a->n - 1;
}

void
mlp_yanchors_release(struct mlp_yanchors *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		free(a->name[i]);
	free(a->name);
	free(a->slot);
	memset(a, 0, sizeof *a);
}
