import type { CategoryDto } from '@gridline/core';
import { api } from '../api/client.ts';

/** The category catalogue, loaded once per page load and shared by every view. */
class Categories {
  byCode = $state.raw<ReadonlyMap<string, CategoryDto>>(new Map());
  #loading: Promise<void> | null = null;

  /** Loads the catalogue once; a failed load can be retried by calling again. */
  load(): Promise<void> {
    this.#loading ??= api.categories().then(
      ({ categories }) => {
        this.byCode = new Map(categories.map((category) => [category.code, category]));
      },
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    );
    return this.#loading;
  }

  get(code: string): CategoryDto | undefined {
    return this.byCode.get(code);
  }
}

export const categories = new Categories();
